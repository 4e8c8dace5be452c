import { describe, it, expect } from 'vitest';
import {
  mpsc,
  Sender,
  Receiver,
  UnboundedSender,
  SendError,
  TrySendError,
  SendTimeoutError,
  TryRecvError,
  type JoinError,
  Elapsed,
  spawn,
  timeout,
  time,
  sleep,
} from '@skein/core';
import { withRuntime, settle, thrown, rejection, expectSkein, track } from './_support.js';

describe('mpsc bounded', () => {
  it('mpsc.channel(0) throws RangeError with a code', () => {
    const err = thrown(() => mpsc.channel(0));
    expect(err).toBeInstanceOf(RangeError);
    expect((err as { code?: unknown }).code).toMatch(/^ERR_/);
  });

  it('delivers values in send order; len() and isEmpty() follow the buffer', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(4);
      expect(tx).toBeInstanceOf(Sender);
      expect(rx).toBeInstanceOf(Receiver);
      expect(rx.isEmpty()).toBe(true);
      expect(rx.len()).toBe(0);
      await tx.send(1);
      await tx.send(2);
      tx.trySend(3);
      expect(rx.len()).toBe(3);
      expect(rx.isEmpty()).toBe(false);
      expect([await rx.recv(), await rx.recv(), rx.tryRecv()]).toEqual([1, 2, 3]);
      expect(rx.isEmpty()).toBe(true);
    });
  });

  it('capacity() counts free slots, maxCapacity() the bound', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<string>(3);
      expect([tx.capacity(), tx.maxCapacity()]).toEqual([3, 3]);
      await tx.send('a');
      await tx.send('b');
      expect([tx.capacity(), tx.maxCapacity()]).toEqual([1, 3]);
      await rx.recv();
      expect(tx.capacity()).toBe(2);
    });
  });

  it('trySend: TrySendError full with the value back when no room, closed after rx.close()', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<string>(1);
      tx.trySend('a');
      const full = expectSkein(
        thrown(() => tx.trySend('b')),
        TrySendError,
        'ERR_SKEIN_TRY_SEND_FULL',
      );
      expect(full.kind).toBe('full');
      expect(full.value).toBe('b');
      rx.close();
      const closed = expectSkein(
        thrown(() => tx.trySend('c')),
        TrySendError,
        'ERR_SKEIN_TRY_SEND_CLOSED',
      );
      expect(closed.kind).toBe('closed');
      expect(closed.value).toBe('c');
    });
  });

  it('send() waits for room; blocked senders are served in FIFO order', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<string>(1);
      await tx.send('first');
      const a = track(tx.send('a'));
      const b = spawn(() => tx.clone().send('b'));
      await settle();
      expect(a.settled()).toBe(false);
      expect(await rx.recv()).toBe('first');
      expect(await rx.recv()).toBe('a');
      expect(await rx.recv()).toBe('b');
      await a.promise;
      await b;
    });
  });

  it('send() on a closed channel rejects SendError carrying the value', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<{ id: number }>(2);
      rx.close();
      const v = { id: 9 };
      const err = expectSkein(await rejection(tx.send(v)), SendError, 'ERR_SKEIN_SEND_CLOSED');
      expect(err.value).toBe(v);
    });
  });

  it('a send blocked on a full channel rejects SendError when the receiver closes', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(1);
      await tx.send(1);
      const blocked = track(tx.send(2));
      await settle();
      rx.close();
      await settle();
      const err = expectSkein(blocked.error(), SendError, 'ERR_SKEIN_SEND_CLOSED');
      expect(err.value).toBe(2);
      expect(await rx.recv()).toBe(1); // the buffered value is still delivered
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('sendTimeout: resolves if room appears in time, else SendTimeoutError timeout; closed when closed', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = mpsc.channel<number>(1);
        await tx.send(0);
        const ok = track(tx.sendTimeout(1, 10));
        await time.advance(5);
        expect(await rx.recv()).toBe(0);
        await settle();
        expect(ok.settled()).toBe(true);
        await ok.promise;

        const late = track(tx.sendTimeout(2, 10));
        await time.advance(9);
        await settle();
        expect(late.settled()).toBe(false);
        await time.advance(1);
        await settle();
        const te = expectSkein(late.error(), SendTimeoutError, 'ERR_SKEIN_SEND_TIMEOUT');
        expect(te.kind).toBe('timeout');
        expect(te.value).toBe(2);
        expect(await rx.recv()).toBe(1);
        expect(rx.tryRecv.bind(rx)).toThrow(TryRecvError); // the timed-out value never entered

        rx.close();
        const ce = await rejection(tx.sendTimeout(3, 10));
        expect(ce).toBeInstanceOf(SendTimeoutError);
        expect((ce as SendTimeoutError<number>).kind).toBe('closed');
        expect((ce as SendTimeoutError<number>).value).toBe(3);
        expect(typeof (ce as SendTimeoutError<number>).code).toBe('string');
      },
      { paused: true },
    );
  });

  it('reserve() holds a slot; a used permit frees it only when its message is received', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<string>(2);
      const permit = await tx.reserve();
      expect(tx.capacity()).toBe(1);
      expect(tx.maxCapacity()).toBe(2);
      permit.send('p');
      expect(tx.capacity()).toBe(1);
      expect(rx.len()).toBe(1);
      expect(await rx.recv()).toBe('p');
      expect(tx.capacity()).toBe(2);
    });
  });

  it('an unused reserve() permit gives its slot back on dispose; reserve waits when full', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<string>(1);
      {
        using _p = await tx.reserve();
        expect(tx.capacity()).toBe(0);
        expectSkein(
          thrown(() => tx.trySend('x')),
          TrySendError,
          'ERR_SKEIN_TRY_SEND_FULL',
        );
      }
      expect(tx.capacity()).toBe(1);
      await tx.send('a');
      const r = track(tx.reserve());
      await settle();
      expect(r.settled()).toBe(false);
      expect(await rx.recv()).toBe('a');
      await settle();
      expect(r.settled()).toBe(true);
      (await r.promise).send('b');
      expect(await rx.recv()).toBe('b');
    });
  });

  it('the receiver sees the end only after every clone is closed and the buffer drained', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(4);
      const tx2 = tx.clone();
      await tx.send(1);
      tx.close();
      await tx2.send(2);
      expect(await rx.recv()).toBe(1);
      expect(await rx.recv()).toBe(2);
      const pending = track(rx.recv());
      await settle();
      expect(pending.settled()).toBe(false);
      tx2.close();
      await settle();
      expect(pending.settled()).toBe(true);
      expect(pending.value()).toBeUndefined();
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('disposing the last sender (Symbol.dispose) ends the stream', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(2);
      {
        using t = tx;
        await t.send(5);
      }
      expect(await rx.recv()).toBe(5);
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('closed() resolves and isClosed() turns true once the receiver closes', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(1);
      const c = track(tx.closed());
      await settle();
      expect(c.settled()).toBe(false);
      expect(tx.isClosed()).toBe(false);
      rx.close();
      await settle();
      expect(c.settled()).toBe(true);
      expect(tx.isClosed()).toBe(true);
    });
  });

  it('disposing the receiver closes the channel for senders', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(1);
      rx[Symbol.dispose]();
      expect(tx.isClosed()).toBe(true);
      expect(await rejection(tx.send(1))).toBeInstanceOf(SendError);
    });
  });

  it('rx.close() still delivers buffered values, then recv() returns undefined', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(4);
      await tx.send(1);
      await tx.send(2);
      rx.close();
      expect(await rejection(tx.send(3))).toBeInstanceOf(SendError);
      expect(await rx.recv()).toBe(1);
      expect(rx.tryRecv()).toBe(2);
      expect(await rx.recv()).toBeUndefined();
      // The sender is still open, but a closed and drained receiver is disconnected.
      expect(tx.isClosed()).toBe(true);
      const d = expectSkein(
        thrown(() => rx.tryRecv()),
        TryRecvError,
        'ERR_SKEIN_TRY_RECV_DISCONNECTED',
      );
      expect(d.kind).toBe('disconnected');
    });
  });

  it('recvMany(buf, limit) appends up to limit values and returns how many', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<string>(8);
      for (const v of ['a', 'b', 'c', 'd', 'e']) await tx.send(v);
      const buf: string[] = ['x'];
      expect(await rx.recvMany(buf, 3)).toBe(3);
      expect(buf).toEqual(['x', 'a', 'b', 'c']);
      expect(await rx.recvMany(buf, 10)).toBe(2);
      expect(buf).toEqual(['x', 'a', 'b', 'c', 'd', 'e']);
      expect(tx.capacity()).toBe(8);
      expect(await rx.recvMany(buf, 0)).toBe(0);
      const waiting = track(rx.recvMany(buf, 4));
      await settle();
      expect(waiting.settled()).toBe(false);
      await tx.send('f');
      await settle();
      expect(waiting.value()).toBe(1);
      expect(buf.at(-1)).toBe('f');
      tx.close();
      expect(await rx.recvMany(buf, 4)).toBe(0);
    });
  });

  it('tryRecv: TryRecvError empty while senders live, disconnected once they closed and it drained', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(2);
      const empty = expectSkein(
        thrown(() => rx.tryRecv()),
        TryRecvError,
        'ERR_SKEIN_TRY_RECV_EMPTY',
      );
      expect(empty.kind).toBe('empty');
      await tx.send(1);
      tx.close();
      expect(rx.tryRecv()).toBe(1);
      const disc = expectSkein(
        thrown(() => rx.tryRecv()),
        TryRecvError,
        'ERR_SKEIN_TRY_RECV_DISCONNECTED',
      );
      expect(disc.kind).toBe('disconnected');
    });
  });

  it('async iteration yields every value until all senders close', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(2);
      const producer = spawn(async () => {
        for (let i = 0; i < 6; i++) await tx.send(i);
        tx.close();
      });
      const got: number[] = [];
      for await (const v of rx) got.push(v);
      expect(got).toEqual([0, 1, 2, 3, 4, 5]);
      await producer;
    });
  });

  it('a blocked send aborted via JoinHandle.abort() never delivers and does not leak capacity', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(1);
      await tx.send(1);
      const h = spawn(() => tx.send(2));
      const later = track(tx.send(3));
      await settle();
      h.abort();
      expect(((await rejection(h)) as JoinError).isCancelled()).toBe(true);
      expect(await rx.recv()).toBe(1);
      await settle();
      expect(later.settled()).toBe(true);
      expect(await rx.recv()).toBe(3);
      expect(tx.capacity()).toBe(1);
    });
  });

  it('an aborted reserve() leaves the queue without taking a slot', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(1);
      await tx.send(1);
      const h = spawn(() => tx.reserve());
      await settle();
      h.abort();
      expect(((await rejection(h)) as JoinError).isCancelled()).toBe(true);
      expect(await rx.recv()).toBe(1);
      await settle();
      expect(tx.capacity()).toBe(1);
      tx.trySend(2);
      expect(await rx.recv()).toBe(2);
    });
  });

  it('a recv aborted or cut by timeout loses no value', async () => {
    await withRuntime(
      async () => {
        const [tx, rx] = mpsc.channel<number>(2);
        const h = spawn(() => rx.recv());
        await settle();
        h.abort();
        expect(((await rejection(h)) as JoinError).isCancelled()).toBe(true);
        const t = track(timeout(5, () => rx.recv()));
        await time.advance(5);
        await settle();
        expect(t.error()).toBeInstanceOf(Elapsed);
        await tx.send(7);
        expect(await rx.recv()).toBe(7);
        expect(tx.capacity()).toBe(2);
      },
      { paused: true },
    );
  });

  it('a receiver woken with a value and aborted before it resumes loses no value', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(2);
      const h = spawn(() => rx.recv());
      await settle();
      tx.trySend(1); // hands 1 to the waiting recv
      h.abort(); // before it resumes
      await rejection(h);
      tx.trySend(2);
      expect(await rx.recv()).toBe(1);
      expect(await rx.recv()).toBe(2);
    });
  });

  it('a tight send/recv loop on a ready channel still lets setImmediate and setTimeout run', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.channel<number>(1);
      const n = 5000;
      let immediateAt = -1;
      let timerAt = -1;
      let i = 0;
      setImmediate(() => {
        immediateAt = i;
      });
      setTimeout(() => {
        timerAt = i;
      }, 0);
      for (; i < n; i++) {
        await tx.send(i);
        expect(await rx.recv()).toBe(i);
        if (immediateAt >= 0 && timerAt >= 0) break;
      }
      expect(immediateAt).toBeGreaterThanOrEqual(0);
      expect(timerAt).toBeGreaterThanOrEqual(0);
      expect(i).toBeLessThan(n);
    });
  });
});

describe('mpsc unbounded', () => {
  it('send() is synchronous; values arrive in order', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.unboundedChannel<number>();
      expect(tx).toBeInstanceOf(UnboundedSender);
      const r = tx.send(1) as unknown;
      expect(r).toBeUndefined(); // not a promise
      for (let i = 2; i <= 1000; i++) tx.send(i);
      expect(rx.len()).toBe(1000);
      const got: number[] = [];
      expect(await rx.recvMany(got, 2000)).toBe(1000);
      expect(got).toEqual(Array.from({ length: 1000 }, (_, k) => k + 1));
    });
  });

  it('send() throws SendError with the value once the receiver closed', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.unboundedChannel<string>();
      tx.send('a');
      rx.close();
      const err = expectSkein(
        thrown(() => tx.send('b')),
        SendError,
        'ERR_SKEIN_SEND_CLOSED',
      );
      expect(err.value).toBe('b');
      expect(tx.isClosed()).toBe(true);
      expect(await rx.recv()).toBe('a');
      expect(await rx.recv()).toBeUndefined();
    });
  });

  it('counts clones: the stream ends when the last clone closes', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.unboundedChannel<number>();
      const tx2 = tx.clone();
      tx.close();
      const waiting = track(rx.recv());
      await settle();
      expect(waiting.settled()).toBe(false);
      tx2.send(4);
      await settle();
      expect(waiting.value()).toBe(4);
      const tx3 = tx2.clone();
      tx2[Symbol.dispose]();
      tx3.send(5);
      tx3.close();
      expect(await rx.recv()).toBe(5);
      expect(await rx.recv()).toBeUndefined();
      const c = track(tx3.closed());
      await settle();
      expect(c.settled()).toBe(false);
      rx.close();
      await settle();
      expect(c.settled()).toBe(true);
    });
  });

  it('a waiting recv is woken by a send from another task', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.unboundedChannel<string>();
      const h = spawn(async () => {
        await sleep(1);
        tx.send('late');
      });
      expect(await rx.recv()).toBe('late');
      await h;
    });
  });

  it('a tight recv loop over a full buffer still lets setImmediate run (cooperative budget)', async () => {
    await withRuntime(async () => {
      const [tx, rx] = mpsc.unboundedChannel<number>();
      const n = 5000;
      for (let k = 0; k < n; k++) tx.send(k);
      let ranAt = -1;
      let received = 0;
      setImmediate(() => {
        ranAt = received;
      });
      while (received < n) {
        expect(await rx.recv()).toBe(received);
        received++;
      }
      expect(ranAt).toBeGreaterThan(0);
      expect(ranAt).toBeLessThan(n);
    });
  });
});
