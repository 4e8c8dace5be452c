/**
 * The tcp_echo client: `connections` sockets each send `bytes` in 64 KiB chunks to an echo
 * server and read every byte back, the next chunk going out as the previous one returns
 * (so memory stays bounded on both sides).
 */
import { connect } from 'node:net';

const CHUNK = 64 * 1024;

/** Resolves once every connection got its bytes back. */
export async function echoLoad(port: number, connections: number, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(CHUNK, 7);
  await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<void>((resolve, reject) => {
          const s = connect(port, '127.0.0.1');
          s.setNoDelay(true);
          let sent = 0;
          let received = 0;
          let inflight = 0;
          const pump = (): void => {
            while (sent < bytes && inflight < 2 * CHUNK) {
              s.write(chunk);
              sent += CHUNK;
              inflight += CHUNK;
            }
          };
          s.on('connect', pump);
          s.on('data', (d: Buffer) => {
            received += d.length;
            inflight -= d.length;
            if (received >= bytes) {
              s.destroy();
              resolve();
            } else {
              pump();
            }
          });
          s.on('error', (err) => {
            if (received < bytes) reject(err);
          });
        }),
    ),
  );
}
