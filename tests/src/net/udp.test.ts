import { describe, it, expect } from 'vitest';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { Elapsed, select, sleep, spawn } from '@skein/core';
import { SocketClosedError, UdpSocket } from '@skein/net';
import { rejection, settle, withRuntime } from './helpers.js';

describe('UdpSocket', () => {
  it('sendTo / recvFrom between two sockets', async () => {
    await withRuntime(async () => {
      const a = await UdpSocket.bind('127.0.0.1:0');
      const b = await UdpSocket.bind('127.0.0.1:0');
      expect(await a.sendTo(new TextEncoder().encode('ping'), b.localAddr())).toBe(4);
      const buf = new Uint8Array(64);
      const [n, from] = await b.recvFrom(buf);
      expect(new TextDecoder().decode(buf.subarray(0, n))).toBe('ping');
      expect(from).toEqual(a.localAddr());
      a.close();
      b.close();
    });
  });

  it('a datagram longer than the buffer is truncated, as recv_from does', async () => {
    await withRuntime(async () => {
      const a = await UdpSocket.bind('127.0.0.1:0');
      const b = await UdpSocket.bind('127.0.0.1:0');
      await a.sendTo(new Uint8Array([1, 2, 3, 4, 5]), b.localAddr());
      const buf = new Uint8Array(3);
      const [n] = await b.recvFrom(buf);
      expect(n).toBe(3);
      expect(Array.from(buf)).toEqual([1, 2, 3]);
      a.close();
      b.close();
    });
  });

  it('a cancelled recvFrom loses no datagram', async () => {
    await withRuntime(async () => {
      const rx = await UdpSocket.bind('127.0.0.1:0');
      const raw = createSocket('udp4');
      const count = 60;
      const sender = spawn(async () => {
        for (let i = 0; i < count; i++) {
          raw.send(Buffer.from([i]), rx.localAddr().port, '127.0.0.1');
          await sleep(3);
        }
      });
      const got: number[] = [];
      let cancelled = 0;
      const buf = new Uint8Array(4);
      while (got.length < count) {
        try {
          const r = await select(
            {
              recv: () => rx.recvFrom(buf),
              tick: () => sleep(1),
            },
            { biased: true },
          );
          if (r.key === 'recv') got.push(buf[0]!);
          else cancelled++;
        } catch (err) {
          if (!(err instanceof Elapsed)) throw err;
        }
      }
      await sender;
      expect(got).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(cancelled).toBeGreaterThan(0);
      raw.close();
      rx.close();
    });
  });

  it('connect filters by peer and gives send / recv', async () => {
    await withRuntime(async () => {
      const a = await UdpSocket.bind('127.0.0.1:0');
      const b = await UdpSocket.bind('127.0.0.1:0');
      const stranger = await UdpSocket.bind('127.0.0.1:0');
      await b.connect(a.localAddr());
      await stranger.sendTo(new Uint8Array([7]), b.localAddr());
      await a.sendTo(new Uint8Array([42]), b.localAddr());
      const buf = new Uint8Array(1);
      expect(await b.recv(buf)).toBe(1);
      expect(buf[0]).toBe(42);
      await b.send(new Uint8Array([43]));
      const [, from] = await a.recvFrom(buf);
      expect(buf[0]).toBe(43);
      expect(from.port).toBe(b.localAddr().port);
      a.close();
      b.close();
      stranger.close();
    });
  });

  it('close fails a pending recv; errors carry codes', async () => {
    await withRuntime(async () => {
      const s = await UdpSocket.bind('127.0.0.1:0');
      const pending = spawn(() => s.recvFrom(new Uint8Array(1)));
      await settle();
      s.close();
      expect(((await rejection(pending)) as { cause: unknown }).cause).toBeInstanceOf(SocketClosedError);
      const e1 = (await rejection(UdpSocket.bind({ port: 65536 }))) as RangeError & { code: string };
      expect(e1).toBeInstanceOf(RangeError);
      expect(e1.code).toBe('ERR_SOCKET_BAD_PORT');
      const s2 = await UdpSocket.bind('127.0.0.1:0');
      const e2 = (await rejection(s2.send(new Uint8Array(1)))) as TypeError & { code: string };
      expect(e2.code).toBe('ERR_SOCKET_DGRAM_NOT_CONNECTED');
      const raw = createSocket('udp4');
      raw.bind(0, '127.0.0.1');
      await once(raw, 'listening');
      const e3 = (await rejection(
        UdpSocket.bind({ host: '127.0.0.1', port: raw.address().port }),
      )) as NodeJS.ErrnoException;
      expect(e3.code).toBe('EADDRINUSE');
      raw.close();
      s2.close();
    });
  });
});
