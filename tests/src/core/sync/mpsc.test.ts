import { describe, it, expect } from 'vitest';
import {
  mpsc,
  spawn,
  sleep,
  timeout,
  Elapsed,
  SendError,
  TrySendError,
  SendTimeoutError,
  TryRecvError,
  AlreadyReleasedError,
  Runtime,
  Sender,
  Receiver,
  UnboundedSender,
} from '@skein/core';
import { settle, withRuntime, thrown, rejection } from './helpers.js';

describe('mpsc', () => {
  it('rejects a capacity below 1 with RangeError + code', () => {
    for (const bad of [0, -1, 1.5, NaN]) {
      const e = thrown(() => mpsc.channel(bad)) as Error & { code: string };
      expect(e instanceof RangeError || e instanceof TypeError).toBe(true);
      expect(typeof e.code).toBe('string');
    }
    expect((thrown(() => mpsc.channel(0)) as { code: string }).code).toBe('ERR_OUT_OF_RANGE');
  });

  it('delivers in order; recv is undefined once every sender closed and the buffer drained', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(4);
      expect(tx).toBeInstanceOf(Sender);
      expect(rx).toBeInstanceOf(Receiver);
      const tx2 = tx.clone();
      await tx.send(1);
      await tx2.send(2);
      tx.close();
      await tx2.send(3);
      tx2.close();
      tx2.close(); // idempotent
      expect(rx.len()).toBe(3);
      expect(await rx.recv()).toBe(1);
      expect(await rx.recv()).toBe(2);
      expect(await rx.recv()).toBe(3);
      expect(await rx.recv()).toBeUndefined();
      expect(await rx.recv()).toBeUndefined();
      expect((thrown(() => rx.tryRecv()) as TryRecvError).kind).toBe('disconnected');
      expect(rx.isClosed()).toBe(true);
    });
  });

  it('a pending recv sees the end when the last sender closes', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(1);
      const h = spawn(() => rx.recv());
      await settle();
      tx.close();
      expect(await h).toBeUndefined();
    });
  });

  it('rx.close(): buffered values still arrive, sends fail with SendError carrying the value', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<string>(3);
      await tx.send('a');
      await tx.send('b');
      const closed = spawn(() => tx.closed());
      await settle();
      expect(tx.isClosed()).toBe(false);
      rx.close();
      await closed;
      expect(tx.isClosed()).toBe(true);
      const e = await rejection(tx.send('c'));
      expect(e).toBeInstanceOf(SendError);
      expect((e as SendError<string>).value).toBe('c');
      const te = thrown(() => tx.trySend('d')) as TrySendError<string>;
      expect(te.kind).toBe('closed');
      expect(te.value).toBe('d');
      expect(await rx.recv()).toBe('a');
      expect(await rx.recv()).toBe('b');
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('rx.close() fails senders blocked on a full channel', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(1);
      await tx.send(1);
      const blocked = spawn(() => tx.send(2));
      await settle();
      rx.close();
      const e = await rejection(blocked);
      expect((e as { cause: SendError<number> }).cause.value).toBe(2);
      expect(await rx.recv()).toBe(1);
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('capacity counts buffered messages; a permit frees only when its message is received', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(2);
      expect(tx.maxCapacity()).toBe(2);
      expect(tx.capacity()).toBe(2);
      await tx.send(1);
      tx.trySend(2);
      expect(tx.capacity()).toBe(0);
      const full = thrown(() => tx.trySend(3)) as TrySendError<number>;
      expect(full).toBeInstanceOf(TrySendError);
      expect(full.kind).toBe('full');
      expect(full.value).toBe(3);
      let sent3 = false;
      const h = spawn(async () => {
        await tx.send(3);
        sent3 = true;
      });
      await settle();
      expect(sent3).toBe(false);
      expect(await rx.recv()).toBe(1);
      await h;
      expect(sent3).toBe(true);
      expect(tx.capacity()).toBe(0);
      expect(rx.tryRecv()).toBe(2);
      expect(tx.capacity()).toBe(1);
      expect(rx.tryRecv()).toBe(3);
      expect(tx.capacity()).toBe(2);
      expect((thrown(() => rx.tryRecv()) as TryRecvError).kind).toBe('empty');
    });
  });

  it('a value handed to a waiting receiver holds its slot until the receiver resumes', async () => {
    const [tx, rx] = mpsc.channel<number>(1);
    const p = rx.recv();
    tx.trySend(1);
    expect(tx.capacity()).toBe(0);
    expect(await p).toBe(1);
    expect(tx.capacity()).toBe(1);
  });

  it('blocked senders are served FIFO', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(1);
      await tx.send(-1);
      const hs = Array.from({ length: 10 }, (_, i) => spawn(() => tx.send(i)));
      await settle();
      const got: number[] = [];
      for (let i = 0; i < 11; i++) got.push((await rx.recv())!);
      for (const h of hs) await h;
      expect(got).toEqual([-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
  });

  it('senders unblocked while the receiver still has values buffered resume in grant order', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<string>(2);
      tx.trySend('x');
      tx.trySend('y');
      const hs = ['a', 'b', 'c'].map((v) => spawn(() => tx.send(v)));
      await settle();
      expect(rx.tryRecv()).toBe('x'); // 'y' still buffered: a's wake-up waits a turn…
      expect(rx.tryRecv()).toBe('y'); // …so b's does too, keeping FIFO
      const got: string[] = [];
      for (let i = 0; i < 3; i++) got.push((await rx.recv())!);
      for (const h of hs) await h;
      expect(got).toEqual(['a', 'b', 'c']);
      expect(tx.capacity()).toBe(2);
    });
  });

  it('a sender granted a slot but cancelled before its deferred wake-up returns the slot', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(2);
      tx.trySend(1);
      tx.trySend(2);
      const a = spawn(() => tx.send(3));
      await settle();
      expect(rx.tryRecv()).toBe(1); // grants a (its wake-up deferred: 2 is still buffered)
      a.abort();
      await settle();
      expect(rx.tryRecv()).toBe(2);
      expect(rx.isEmpty()).toBe(true); // 3 was never sent
      expect(tx.capacity()).toBe(2);
    });
  });

  it('reserve: permits hold capacity, send through them, release returns capacity', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<string>(2);
      const p1 = await tx.reserve();
      const p2 = tx.tryReserve();
      expect(tx.capacity()).toBe(0);
      expect((thrown(() => tx.tryReserve()) as TrySendError<undefined>).kind).toBe('full');
      p1.send('x');
      expect(() => p1.send('y')).toThrow(AlreadyReleasedError);
      p2.release();
      expect(tx.capacity()).toBe(1);
      expect(() => p2.release()).toThrow(AlreadyReleasedError);
      {
        using _p3 = await tx.reserve();
        expect(tx.capacity()).toBe(0);
      }
      expect(tx.capacity()).toBe(1);
      // An unused permit keeps the channel open after its sender closed.
      const p4 = await tx.reserve();
      tx.close();
      expect(await rx.recv()).toBe('x');
      const next = spawn(() => rx.recv());
      await settle();
      p4.send('late');
      expect(await next).toBe('late');
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('a reserve waiting on a full channel is cancel-safe and fails when the receiver closes', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = mpsc.channel<number>(1);
        await tx.send(0);
        expect(await rejection(timeout(5, () => tx.reserve()))).toBeInstanceOf(Elapsed);
        const waiting = tx.reserve();
        rx.close();
        expect(await rejection(waiting)).toBeInstanceOf(SendError);
        expect(await rx.recv()).toBe(0);
        expect(await rx.recv()).toBeUndefined();
      },
      { paused: true },
    );
  });

  it('a reserve granted a slot but not yet resumed when the receiver closes fails and gives the slot back', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = mpsc.channel<number>(1);
        tx.trySend(0);
        const a = spawn(async () => {
          try {
            await tx.reserve();
            return 'permit';
          } catch (err) {
            return err;
          }
        });
        await settle();
        expect(rx.tryRecv()).toBe(0); // grants a's reserve; a has not resumed
        rx.close();
        expect(await a).toBeInstanceOf(SendError);
        expect(tx.capacity()).toBe(1);
        expect(await timeout(1000, () => rx.recv())).toBeUndefined();
      },
      { paused: true },
    );
  });

  it('a send granted a slot but not yet resumed when the receiver closes fails and sends nothing', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = mpsc.channel<number>(1);
        tx.trySend(0);
        const a = spawn(() => rejection(tx.send(1)));
        await settle();
        expect(rx.tryRecv()).toBe(0);
        rx.close();
        const err = await a;
        expect(err).toBeInstanceOf(SendError);
        expect((err as SendError<number>).value).toBe(1);
        expect(await timeout(1000, () => rx.recv())).toBeUndefined();
        expect(tx.capacity()).toBe(1);
      },
      { paused: true },
    );
  });

  it('a recv parked on a closed channel wakes when a reserve holding the last slot is cancelled before resuming', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = mpsc.channel<number>(1);
        tx.trySend(0);
        const a = spawn(() => tx.reserve());
        await settle();
        expect(rx.tryRecv()).toBe(0); // grants a's reserve; a has not resumed
        a.abort();
        rx.close();
        // Parks: the slot is still out. a's cancellation brings it back, which ends the stream.
        expect(await timeout(1000, () => rx.recv())).toBeUndefined();
        expect(tx.capacity()).toBe(1);
      },
      { paused: true },
    );
  });

  it('a recv parked on a closed channel wakes when a deferred reserve grant is cancelled', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = mpsc.channel<number>(2);
        tx.trySend(1);
        tx.trySend(2);
        const a = spawn(() => tx.reserve());
        await settle();
        expect(rx.tryRecv()).toBe(1); // grants a, its wake-up deferred (2 is still buffered)
        expect(rx.tryRecv()).toBe(2);
        rx.close();
        spawn(() => a.abort()); // runs once this task has parked in recv
        expect(await timeout(1000, () => rx.recv())).toBeUndefined();
        expect(tx.capacity()).toBe(2);
      },
      { paused: true },
    );
  });

  it('sendTimeout: timeout and closed, both carrying the value', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = mpsc.channel<number>(1);
        await tx.sendTimeout(1, 10);
        const e = (await rejection(tx.sendTimeout(2, 10))) as SendTimeoutError<number>;
        expect(e).toBeInstanceOf(SendTimeoutError);
        expect(e.kind).toBe('timeout');
        expect(e.value).toBe(2);
        expect(await rx.recv()).toBe(1);
        expect(rx.isEmpty()).toBe(true); // the timed-out value was not sent
        const late = spawn(() => tx.sendTimeout(3, 100));
        await sleep(5);
        expect(await rx.recv()).toBe(3);
        await late;
        rx.close();
        const c = (await rejection(tx.sendTimeout(4, 10))) as SendTimeoutError<number>;
        expect(c.kind).toBe('closed');
        expect(c.value).toBe(4);
      },
      { paused: true },
    );
  });

  it('a cancelled blocked send has not sent its value', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(1);
      await tx.send(1);
      const a = spawn(() => tx.send(2));
      const b = spawn(() => tx.send(3));
      await settle();
      expect(rx.tryRecv()).toBe(1); // grants a's permit…
      a.abort(); // …but a is cancelled before it resumes: 2 is never sent
      await b;
      expect(await rx.recv()).toBe(3);
      expect(rx.isEmpty()).toBe(true);
      expect(tx.capacity()).toBe(1);
    });
  });

  it('a recv cancelled after it was handed a value loses nothing and keeps order', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(4);
      const a = spawn(() => rx.recv());
      await settle();
      tx.trySend(1); // handed to a…
      a.abort(); // …cancelled before it resumed: 1 goes back in front
      tx.trySend(2);
      await settle();
      expect(await rx.recv()).toBe(1);
      expect(await rx.recv()).toBe(2);
      expect(tx.capacity()).toBe(4);
    });
  });

  it('a recv cancelled while waiting takes nothing', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = mpsc.channel<number>(4);
        expect(await rejection(timeout(5, () => rx.recv()))).toBeInstanceOf(Elapsed);
        await tx.send(1);
        expect(await rx.recv()).toBe(1);
      },
      { paused: true },
    );
  });

  it('tryRecv: empty, then values, then disconnected', () => {
    const [tx, rx] = mpsc.channel<number>(2);
    const e = thrown(() => rx.tryRecv()) as TryRecvError;
    expect(e).toBeInstanceOf(TryRecvError);
    expect(e.kind).toBe('empty');
    tx.trySend(5);
    expect(rx.tryRecv()).toBe(5);
    tx.close();
    expect((thrown(() => rx.tryRecv()) as TryRecvError).kind).toBe('disconnected');
  });

  it('recvMany waits for one value, then takes up to limit', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(8);
      const buf: number[] = [];
      const h = spawn(() => rx.recvMany(buf, 3));
      await settle();
      for (let i = 0; i < 5; i++) tx.trySend(i);
      expect(await h).toBe(3);
      expect(buf).toEqual([0, 1, 2]);
      expect(await rx.recvMany(buf, 10)).toBe(2);
      expect(buf).toEqual([0, 1, 2, 3, 4]);
      expect(await rx.recvMany(buf, 0)).toBe(0);
      tx.close();
      expect(await rx.recvMany(buf, 10)).toBe(0);
    });
  });

  it('recvMany rejects a buffer that is not an array and a bad limit, at the call', async () => {
    await withRuntime(async () => {
      const [, rx] = mpsc.channel<number>(8);
      expect(() => rx.recvMany(5 as unknown as number[], 1)).toThrow(TypeError);
      expect(() => rx.recvMany(5 as unknown as number[], 1)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
      );
      expect(() => rx.recvMany([], -1)).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
    });
  });

  it('a recvMany that empties the buffer frees its slots at once, FIFO, without waiting a turn', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(2);
      await tx.send(0);
      await tx.send(1);
      const log: string[] = [];
      const senders = [2, 3].map((v) =>
        spawn(async () => {
          await tx.send(v);
          log.push(`sent ${v}`);
        }),
      );
      await settle();
      expect(log).toEqual([]);
      // Drained completely, the receiver will park next, so there is no reason to hold the
      // blocked senders back until after the next event-loop turn (as a `recv` that leaves
      // values behind does): they resume before a macrotask queued now.
      setImmediate(() => log.push('turn'));
      const buf: number[] = [];
      expect(await rx.recvMany(buf, 10)).toBe(2);
      for (const h of senders) await h;
      expect(log.slice(0, 2)).toEqual(['sent 2', 'sent 3']);
      expect(await rx.recvMany(buf, 10)).toBe(2);
      expect(buf).toEqual([0, 1, 2, 3]);
    });
  });

  it('is async-iterable until the channel ends', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(2);
      const producer = spawn(async () => {
        for (let i = 0; i < 10; i++) await tx.send(i);
        tx.close();
      });
      const got: number[] = [];
      for await (const v of rx) got.push(v);
      await producer;
      expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
  });

  it('unbounded: send is synchronous and throws SendError once closed', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.unboundedChannel<number>();
      expect(tx).toBeInstanceOf(UnboundedSender);
      for (let i = 0; i < 1000; i++) expect(tx.send(i)).toBeUndefined();
      expect(rx.len()).toBe(1000);
      const tx2 = tx.clone();
      tx.close();
      expect(() => tx.send(1)).toThrow(SendError);
      for (let i = 0; i < 1000; i++) expect(await rx.recv()).toBe(i);
      rx.close();
      const e = thrown(() => tx2.send(7)) as SendError<number>;
      expect(e).toBeInstanceOf(SendError);
      expect(e.value).toBe(7);
      expect(tx2.isClosed()).toBe(true);
      await tx2.closed();
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('senders and receivers implement Symbol.dispose', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(1);
      {
        using t = tx.clone();
        await t.send(1);
      }
      {
        using _t = tx;
      }
      expect(await rx.recv()).toBe(1);
      expect(await rx.recv()).toBeUndefined();
      const [tx2, rx2] = mpsc.unboundedChannel<number>();
      {
        using _r = rx2;
      }
      expect(() => tx2.send(1)).toThrow(SendError);
    });
  });

  it('a tight send/recv loop on a ready channel yields to the event loop', async () => {
    const rt = await Runtime.builder().build();
    let immediates = 0;
    let timerFired = false;
    await rt.blockOn(async () => {
      const [tx, rx] = mpsc.channel<number>(16);
      setTimeout(() => {
        timerFired = true;
      }, 1);
      const tick = () => {
        immediates++;
        if (immediates < 1_000_000) setImmediate(tick);
      };
      setImmediate(tick);
      const before = immediates;
      let sum = 0;
      for (let i = 0; i < 10_000; i++) {
        await tx.send(i);
        sum += (await rx.recv())!;
      }
      expect(sum).toBe((10_000 * 9_999) / 2);
      expect(immediates - before).toBeGreaterThan(10);
      immediates = 1_000_000;
    });
    expect(rt.metrics().budgetForcedYieldCount).toBeGreaterThan(0);
    await rt.shutdown();
    // The 10k loop gave timers turns too (it takes well over 1 ms).
    expect(timerFired).toBe(true);
  });
});
