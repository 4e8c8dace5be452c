/**
 * Heap per idle keep-alive connection: open `n` connections to a server (started with
 * --expose-gc), each making one request and then staying open, and compare the server's
 * used heap before and after.
 */
import { connect, type Socket } from 'node:net';
import { startServer } from './server_process.js';

async function heap(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/heap`, { headers: { connection: 'close' } });
  return ((await res.json()) as { heap: number }).heap;
}

function openIdle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    s.once('data', () => resolve(s));
    s.on('error', reject);
  });
}

/** Bytes of server heap per idle connection. */
export async function heapPerIdleConnection(kind: string, n: number): Promise<number> {
  const server = await startServer(kind, ['--expose-gc']);
  try {
    const before = await heap(server.port);
    const sockets: Socket[] = [];
    for (let i = 0; i < n; i += 200) {
      sockets.push(...(await Promise.all(Array.from({ length: Math.min(200, n - i) }, () => openIdle(server.port)))));
    }
    const after = await heap(server.port);
    for (const s of sockets) s.destroy();
    return (after - before) / n;
  } finally {
    await server.stop();
  }
}
