import { describe, it, expect } from 'vitest';
import { connect as netConnect, createServer } from 'node:net';
import { once } from 'node:events';
import { Cancelled, JoinError, select, sleep, spawn, timeout, Elapsed } from '@skein/core';
import { TcpListener, TcpStream, SocketClosedError, UnexpectedEofError, WriteAfterShutdownError } from '@skein/net';
import { pattern, rejection, settle, withRuntime } from '../helpers.js';

const LOCAL = '127.0.0.1:0';

describe('TcpListener / TcpStream', () => {
  it('accepts a connection and echoes bytes both ways', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const addr = listener.localAddr();
      expect(addr).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
      expect(addr.port).toBeGreaterThan(0);
      const server = spawn(async () => {
        const [s, peer] = await listener.accept();
        expect(peer.address).toBe('127.0.0.1');
        const buf = new Uint8Array(64);
        for (;;) {
          const n = await s.read(buf);
          if (n === 0) break;
          await s.writeAll(buf.subarray(0, n));
        }
        s.close();
      });
      const c = await TcpStream.connect(addr);
      expect(c.peerAddr().port).toBe(addr.port);
      expect(c.localAddr().address).toBe('127.0.0.1');
      await c.writeAll(new TextEncoder().encode('hello skein'));
      const got = new Uint8Array(11);
      await c.readExact(got);
      expect(new TextDecoder().decode(got)).toBe('hello skein');
      await c.shutdown();
      expect(await c.read(new Uint8Array(8))).toBe(0);
      await server;
      c.close();
      listener.close();
    });
  });

  it('a cancelled accept loses no connection', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const parked = spawn(() => listener.accept());
      await settle();
      parked.abort();
      const err = await rejection(parked);
      expect(err).toBeInstanceOf(JoinError);
      const client = netConnect(listener.localAddr().port, '127.0.0.1');
      await once(client, 'connect');
      const [s] = await listener.accept();
      client.end('x');
      expect(new TextDecoder().decode(await s.readToEnd())).toBe('x');
      s.close();
      listener.close();
    });
  });

  it('accepts racing short timeouts still get every connection', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const port = listener.localAddr().port;
      const n = 40;
      const clients = Array.from({ length: n }, (_, i) => {
        const c = netConnect(port, '127.0.0.1');
        c.on('connect', () => c.end(String(i).padStart(3, '0')));
        c.on('error', () => {});
        return c;
      });
      const seen = new Set<string>();
      while (seen.size < n) {
        try {
          const [s] = await timeout(1, () => listener.accept());
          seen.add(new TextDecoder().decode(await s.readToEnd()));
          s.close();
        } catch (err) {
          if (!(err instanceof Elapsed)) throw err;
        }
      }
      expect(seen.size).toBe(n);
      for (const c of clients) c.destroy();
      listener.close();
    });
  });

  it('a cancelled read loses no byte (reads racing timeouts and select)', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const total = 100_000;
      const data = pattern(total);
      const writer = spawn(async () => {
        const c = await TcpStream.connect(listener.localAddr());
        for (let off = 0; off < total; off += 2_000) {
          await c.writeAll(data.subarray(off, off + 2_000));
          await sleep(4);
        }
        await c.shutdown();
        c.close();
      });
      const [s] = await listener.accept();
      const got = new Uint8Array(total);
      let off = 0;
      let cancelled = 0;
      for (let i = 0; ; i++) {
        const buf = new Uint8Array(1 + (i % 3000));
        let n: number;
        try {
          if (i % 2 === 0) {
            n = await timeout(1, () => s.read(buf));
          } else {
            const r = await select({ read: () => s.read(buf), tick: () => sleep(1).then(() => -1) }, { biased: true });
            n = r.value as number;
            if (n < 0) {
              cancelled++;
              continue;
            }
          }
        } catch (err) {
          if (!(err instanceof Elapsed)) throw err;
          cancelled++;
          continue;
        }
        if (n === 0) break;
        got.set(buf.subarray(0, n), off);
        off += n;
      }
      expect(off).toBe(total);
      expect(got).toEqual(data);
      expect(cancelled).toBeGreaterThan(0);
      await writer;
      s.close();
      listener.close();
    });
  });

  it('aborting the task that uses a stream closes the connection', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const client = netConnect(listener.localAddr().port, '127.0.0.1');
      client.on('error', () => {});
      const ended = once(client, 'close');
      const [s] = await listener.accept();
      const conn = spawn(async () => {
        await s.read(new Uint8Array(16));
      });
      await settle();
      conn.abort();
      const err = (await rejection(conn)) as JoinError;
      expect(err.isCancelled()).toBe(true);
      await ended;
      expect(await rejection(s.read(new Uint8Array(1)))).toBeInstanceOf(SocketClosedError);
      listener.close();
    });
  });

  it('a read parked when its task is aborted rejects with Cancelled inside the task', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const c = await TcpStream.connect(listener.localAddr());
      const [s] = await listener.accept();
      let seen: unknown;
      const h = spawn(async () => {
        try {
          await s.read(new Uint8Array(4));
        } catch (err) {
          seen = err;
          throw err;
        }
      });
      await settle();
      h.abort();
      await rejection(h);
      expect(seen).toBeInstanceOf(Cancelled);
      c.close();
      listener.close();
    });
  });

  it('write resolves only once the socket took the bytes: a stalled reader stalls the writer', async () => {
    await withRuntime(async () => {
      // A plain node:net server that does not read until told to.
      const server = createServer({ pauseOnConnect: true });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const accepted = once(server, 'connection');
      const port = (server.address() as { port: number }).port;
      const c = await TcpStream.connect({ port });
      const [peer] = (await accepted) as [import('node:net').Socket];
      const chunk = new Uint8Array(64 * 1024);
      let written = 0;
      const writer = spawn(async () => {
        for (let i = 0; i < 2000; i++) {
          await c.write(chunk);
          written += chunk.length;
        }
      });
      // Let the writer run until the kernel buffers are full.
      let last = -1;
      while (written !== last) {
        last = written;
        await sleep(50);
      }
      const stalledAt = written;
      expect(stalledAt).toBeLessThan(2000 * chunk.length);
      // Only what fits in the socket buffers was accepted (bounded: far below 128 MiB).
      expect(stalledAt).toBeLessThan(32 * 1024 * 1024);
      let received = 0;
      peer.on('data', (d: Buffer) => {
        received += d.length;
      });
      peer.resume();
      await writer;
      expect(written).toBe(2000 * chunk.length);
      await c.shutdown();
      await once(peer, 'end');
      expect(received).toBe(written);
      c.close();
      server.close();
    });
  });

  it('a stream nobody reads stops taking bytes: the peer stalls, and every byte arrives in order once read', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const total = 64 * 1024 * 1024;
      const chunk = 256 * 1024;
      const data = pattern(total);
      const client = netConnect(listener.localAddr().port, '127.0.0.1');
      let acked = 0;
      let sent = 0;
      // Keep the client's own queue short, so its write callbacks track what the server took.
      const pump = (): void => {
        while (sent < total && client.writableLength < 2 * chunk) {
          const end = sent + chunk;
          client.write(data.subarray(sent, end), () => {
            acked = end;
          });
          sent = end;
        }
        if (sent === total && !client.writableEnded) client.end();
      };
      client.on('drain', pump);
      client.on('connect', pump);
      const [s] = await listener.accept();
      let last = -1;
      while (acked !== last) {
        last = acked;
        await sleep(50);
      }
      // Only what the socket buffers and the stream's bounded queue hold was taken.
      expect(acked).toBeLessThan(16 * 1024 * 1024);
      const got = new Uint8Array(total + 1);
      let off = 0;
      for (let i = 0; ; i++) {
        const n = await s.read(got.subarray(off, off + 1 + ((i * 7919) % 100_000)));
        if (n === 0) break;
        off += n;
      }
      expect(off).toBe(total);
      expect(Buffer.compare(got.subarray(0, total), data)).toBe(0);
      s.close();
      client.destroy();
      listener.close();
    });
  });

  it('shutdown half-closes: the peer sees the end, and reads still work', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const server = spawn(async () => {
        const [s] = await listener.accept();
        const req = await s.readToEnd();
        await s.writeAll(new TextEncoder().encode(`got ${req.length}`));
        s.close();
      });
      const c = await TcpStream.connect(listener.localAddr());
      await c.writeAll(new Uint8Array(1000));
      await c.shutdown();
      expect(await rejection(c.write(new Uint8Array(1)))).toBeInstanceOf(WriteAfterShutdownError);
      expect(new TextDecoder().decode(await c.readToEnd())).toBe('got 1000');
      await server;
      c.close();
      listener.close();
    });
  });

  it('readExact rejects with UnexpectedEofError when the stream ends early', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const client = netConnect(listener.localAddr().port, '127.0.0.1');
      client.on('connect', () => client.end('abc'));
      const [s] = await listener.accept();
      const err = (await rejection(s.readExact(new Uint8Array(10)))) as UnexpectedEofError;
      expect(err).toBeInstanceOf(UnexpectedEofError);
      expect(err.code).toBe('ERR_SKEIN_UNEXPECTED_EOF');
      expect(err.bytesRead).toBe(3);
      s.close();
      listener.close();
    });
  });

  it('split halves are used by two tasks at once', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const echo = spawn(async () => {
        const [s] = await listener.accept();
        const [r, w] = s.split();
        const buf = new Uint8Array(4096);
        for (;;) {
          const n = await r.read(buf);
          if (n === 0) break;
          await w.writeAll(buf.subarray(0, n));
        }
        await w.shutdown();
        r.close();
        w.close();
      });
      const c = await TcpStream.connect(listener.localAddr());
      const [r, w] = c.split();
      const total = 300_000;
      const data = pattern(total);
      const reader = spawn(async () => r.readToEnd());
      const writer = spawn(async () => {
        for (let off = 0; off < total; off += 10_000) await w.writeAll(data.subarray(off, off + 10_000));
        await w.shutdown();
      });
      await writer;
      expect(Buffer.from(await reader).equals(data)).toBe(true);
      await echo;
      r.close();
      w.close();
      listener.close();
    });
  });

  it('aborting the writer task of a split stream half-closes it; the reader half keeps working', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const c = await TcpStream.connect(listener.localAddr());
      const [s] = await listener.accept();
      const [r, w] = c.split();
      const writer = spawn(async () => {
        await w.writeAll(new Uint8Array([1, 2, 3]));
        await sleep(60_000);
      });
      await settle();
      writer.abort();
      await rejection(writer);
      // The peer sees FIN after the bytes...
      expect(Array.from(await s.readToEnd())).toEqual([1, 2, 3]);
      // ...and can still write back to the read half.
      await s.writeAll(new Uint8Array([9]));
      await s.shutdown();
      expect(Array.from(await r.readToEnd())).toEqual([9]);
      r.close();
      s.close();
      listener.close();
    });
  });

  it('a connect cancelled by select leaves no open connection', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const r = await select(
        { now: async () => 'now', connect: () => TcpStream.connect(listener.localAddr()) },
        { biased: true },
      );
      expect(r.key).toBe('now');
      // If the connection reached the listener, it was closed by the cancellation.
      const [s] = await timeout(300, () => listener.accept()).catch(() => [undefined] as const);
      if (s !== undefined) {
        expect(await s.read(new Uint8Array(1))).toBe(0);
        s.close();
      }
      listener.close();
    });
  });

  it('reads of ready data charge the cooperative budget', async () => {
    await withRuntime(async (rt) => {
      const listener = await TcpListener.bind(LOCAL);
      const client = netConnect(listener.localAddr().port, '127.0.0.1');
      client.on('connect', () => client.end(Buffer.alloc(4000)));
      const [s] = await listener.accept();
      await sleep(20);
      const before = rt.metrics().budgetForcedYieldCount;
      const one = new Uint8Array(1);
      let n = 0;
      while ((await s.read(one)) === 1) n++;
      expect(n).toBe(4000);
      expect(rt.metrics().budgetForcedYieldCount).toBeGreaterThan(before);
      s.close();
      listener.close();
    });
  });

  it('accept after close and the async iterator end cleanly', async () => {
    await withRuntime(async () => {
      const listener = await TcpListener.bind(LOCAL);
      const port = listener.localAddr().port;
      const seen: number[] = [];
      const loop = spawn(async () => {
        for await (const [s, peer] of listener) {
          seen.push(peer.port);
          s.close();
        }
      });
      const c = netConnect(port, '127.0.0.1');
      c.on('error', () => {});
      await once(c, 'close');
      listener.close();
      await loop;
      expect(seen).toHaveLength(1);
      expect(await rejection(listener.accept())).toBeInstanceOf(SocketClosedError);
    });
  });
});

describe('TCP errors', () => {
  it('a bad port is a RangeError, a malformed address a TypeError, both with a code', async () => {
    const e1 = (await rejection(TcpListener.bind({ port: 70000 }))) as RangeError & { code: string };
    expect(e1).toBeInstanceOf(RangeError);
    expect(e1.code).toBe('ERR_SOCKET_BAD_PORT');
    const e2 = (await rejection(TcpStream.connect('127.0.0.1:-1'))) as TypeError & { code: string };
    expect(e2).toBeInstanceOf(TypeError);
    expect(e2.code).toBe('ERR_INVALID_ARG_VALUE');
    const e3 = (await rejection(TcpStream.connect(42 as never))) as TypeError & { code: string };
    expect(e3.code).toBe('ERR_INVALID_ARG_TYPE');
    const e4 = (await rejection(TcpListener.bind(LOCAL, { backlog: -1 }))) as RangeError & { code: string };
    expect(e4.code).toBe('ERR_OUT_OF_RANGE');
    await withRuntime(async () => {
      const l = await TcpListener.bind(LOCAL);
      const c = await TcpStream.connect(l.localAddr());
      const e5 = (await rejection(c.read('x' as never))) as TypeError & { code: string };
      expect(e5.code).toBe('ERR_INVALID_ARG_TYPE');
      c.close();
      l.close();
    });
  });

  it('address in use and refused connections reject with Node system errors', async () => {
    await withRuntime(async () => {
      const l = await TcpListener.bind(LOCAL);
      const addr = l.localAddr();
      const inUse = (await rejection(TcpListener.bind(addr))) as NodeJS.ErrnoException;
      expect(inUse.code).toBe('EADDRINUSE');
      l.close();
      await sleep(10);
      const refused = (await rejection(TcpStream.connect(addr))) as NodeJS.ErrnoException;
      expect(refused.code).toBe('ECONNREFUSED');
    });
  });
});
