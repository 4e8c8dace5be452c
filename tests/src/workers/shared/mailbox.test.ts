import { describe, expect, test } from 'vitest';
import { Mailbox } from '../../../../packages/workers/src/shared/mailbox.js';

const DOORBELL = 32;

describe('Mailbox', () => {
  test('validates its capacity and ids', () => {
    expect(() => Mailbox.create(3)).toThrow(RangeError);
    const m = Mailbox.create(4);
    expect(() => m.push(0)).toThrow(RangeError);
    expect(() => m.push(-5)).toThrow(RangeError);
    expect(Mailbox.bytesFor(4)).toBe(256 + 16);
  });

  test('drainInto takes everything pushed, oldest first, bounded by the output', () => {
    const m = Mailbox.create(16);
    for (let i = 1; i <= 10; i++) expect(m.push(i)).toBe(true);
    expect(m.len()).toBe(10);
    expect(m.hasPending()).toBe(true);
    const out = new Int32Array(8);
    expect(m.drainInto(out, 2)).toBe(6);
    expect(Array.from(out.subarray(2))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.drainInto(out)).toBe(4);
    expect(Array.from(out.subarray(0, 4))).toEqual([7, 8, 9, 10]);
    expect(m.drainInto(out)).toBe(0);
    expect(m.hasPending()).toBe(false);
    expect(m.len()).toBe(0);
  });

  test('drain(cb) delivers a batch and returns its size', () => {
    const m = Mailbox.create(1024);
    for (let i = 1; i <= 600; i++) m.push(i);
    const got: number[] = [];
    expect(m.drain((id) => got.push(id))).toBe(600);
    expect(got).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(m.drain(() => {})).toBe(0);
  });

  test('a throwing callback consumes only its own id', () => {
    const m = Mailbox.create(8);
    for (let i = 1; i <= 5; i++) m.push(i);
    const got: number[] = [];
    expect(() =>
      m.drain((id) => {
        if (id === 3) throw new Error('boom');
        got.push(id);
      }),
    ).toThrow('boom');
    expect(m.drain((id) => got.push(id))).toBe(2);
    expect(got).toEqual([1, 2, 4, 5]);
  });

  test('when full, push returns false; draining makes room again, across many wraps', () => {
    const m = Mailbox.create(4);
    const out = new Int32Array(4);
    let next = 1;
    for (let round = 0; round < 5000; round++) {
      while (m.push(next)) next++;
      expect(m.len()).toBe(4);
      const n = m.drainInto(out);
      expect(n).toBe(4);
      expect(out[3]).toBe(next - 1);
    }
  });

  test('waitAsync returns a settled promise when ids are pending', async () => {
    const m = Mailbox.create(8);
    m.push(1);
    const p = m.waitAsync();
    expect(p).toBe(m.waitAsync()); // the shared resolved promise: no allocation
    await p;
    expect(new Int32Array(m.sab, m.byteOffset, 64)[DOORBELL]).toBe(0);
  });

  test('waitAsync sleeps on the doorbell and a push wakes it (the event loop keeps running)', async () => {
    const m = Mailbox.create(8);
    const words = new Int32Array(m.sab, m.byteOffset, 64);
    let woke = false;
    const p = m.waitAsync().then(() => {
      woke = true;
    });
    expect(words[DOORBELL]).toBe(1); // asleep: producers must ring
    await new Promise((r) => setTimeout(r, 5));
    expect(woke).toBe(false);
    m.push(9);
    expect(words[DOORBELL]).toBe(0); // the producer rang and cleared it
    await p;
    expect(woke).toBe(true);
    expect(m.drainInto(new Int32Array(4))).toBe(1);
  });

  test('waitAsync honours a timeout', async () => {
    const m = Mailbox.create(8);
    const t0 = Date.now();
    await m.waitAsync(20);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
    expect(new Int32Array(m.sab, m.byteOffset, 64)[DOORBELL]).toBe(0);
  });

  test('waitSync: false on timeout, true when pending', () => {
    const m = Mailbox.create(8);
    expect(m.waitSync(5)).toBe(false);
    m.push(3);
    expect(m.waitSync(5)).toBe(true);
  });

  test('a push while the owner is awake does not ring', () => {
    const m = Mailbox.create(8);
    const words = new Int32Array(m.sab, m.byteOffset, 64);
    m.push(1);
    expect(words[DOORBELL]).toBe(0);
    expect(new Mailbox(m.sab, m.byteOffset).len()).toBe(1);
  });
});
