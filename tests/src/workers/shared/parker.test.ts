import { describe, expect, test } from 'vitest';
import { EMPTY, NOTIFIED, PARKED, Parker } from '../../../../packages/workers/src/shared/parker.js';
import { RESOLVED } from '../../../../packages/workers/src/shared/wait_async.js';

describe('Parker', () => {
  test('an unpark before park is remembered: the next park returns at once', async () => {
    const p = Parker.create();
    expect(p.unpark()).toBe(false); // nobody was parked
    expect(p.state()).toBe(NOTIFIED);
    expect(p.park()).toBe(RESOLVED); // settled already: nothing allocated, nothing awaited
    expect(p.state()).toBe(EMPTY);
  });

  test('several unparks collapse into one notification', async () => {
    const p = Parker.create();
    p.unpark();
    p.unpark();
    await p.park();
    const t0 = Date.now();
    await p.park(20); // nothing pending any more: times out
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
    expect(p.state()).toBe(EMPTY);
  });

  test('park waits asynchronously until unpark; unpark reports that it woke a sleeper', async () => {
    const p = Parker.create();
    let woke = false;
    const parked = p.park().then(() => {
      woke = true;
    });
    expect(p.state()).toBe(PARKED);
    await new Promise((r) => setTimeout(r, 5)); // the event loop keeps running
    expect(woke).toBe(false);
    expect(p.unpark()).toBe(true);
    await parked;
    expect(woke).toBe(true);
    expect(p.state()).toBe(EMPTY);
  });

  test('park(timeout) resolves after the timeout and leaves the parker EMPTY', async () => {
    const p = Parker.create();
    const t0 = Date.now();
    await p.park(15);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(10);
    expect(p.state()).toBe(EMPTY);
  });

  test('parkSync: false on timeout, true when notified', () => {
    const p = Parker.create();
    expect(p.parkSync(5)).toBe(false);
    expect(p.state()).toBe(EMPTY);
    p.unpark();
    expect(p.parkSync(5)).toBe(true);
    expect(p.state()).toBe(EMPTY);
  });

  test('a second concurrent park is a bug and throws', async () => {
    const p = Parker.create();
    const first = p.park();
    expect(() => p.park()).toThrow(/already parked/);
    p.unpark();
    await first;
  });

  test('instances on the same buffer share the word', async () => {
    const a = Parker.create();
    const b = new Parker(a.sab, a.byteOffset);
    const parked = a.park();
    expect(b.state()).toBe(PARKED);
    expect(b.unpark()).toBe(true);
    await parked;
  });
});
