/**
 * Tokio's echo server and a client, on @skein/net: the listener hands each connection to its
 * own task, which reads and writes until the client half-closes. The client sends a few
 * lines, half-closes with shutdown(), and reads the echo to the end.
 *
 *   tsx examples/net/tcp_echo.ts
 */
import { main, spawn } from '@skein/core';
import { TcpListener, TcpStream } from '@skein/net';

async function echo(stream: TcpStream): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await stream.read(buf);
      if (n === 0) return; // the client half-closed
      await stream.writeAll(buf.subarray(0, n));
    }
  } finally {
    stream.close();
  }
}

await main(async () => {
  const listener = await TcpListener.bind('127.0.0.1:0');
  const addr = listener.localAddr();
  console.log(`echo server on ${addr.address}:${addr.port}`);
  const server = spawn(async () => {
    for await (const [stream, peer] of listener) {
      console.log(`accepted ${peer.address}:${peer.port}`);
      spawn(() => echo(stream));
    }
  });

  const client = await TcpStream.connect(addr);
  for (const line of ['hello', 'from', 'skein']) await client.writeAll(new TextEncoder().encode(`${line}\n`));
  await client.shutdown();
  const reply = new TextDecoder().decode(await client.readToEnd());
  console.log(`echoed: ${JSON.stringify(reply)}`);
  client.close();

  listener.close();
  await server;
});
