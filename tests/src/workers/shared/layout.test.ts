import { describe, expect, test } from 'vitest';
import { SharedLayout } from '../../../../packages/workers/src/shared/layout.js';

describe('SharedLayout', () => {
  test('allocates every structure in one buffer, on 64-byte lines, without overlap', () => {
    const layout = SharedLayout.create({ workers: 3, injectCapacity: 1024, mailboxCapacity: 64 });
    const o = layout.offsets;
    expect(layout.sab.byteLength).toBe(o.totalBytes);
    expect(SharedLayout.bytesFor({ workers: 3, injectCapacity: 1024, mailboxCapacity: 64 })).toBe(o.totalBytes);
    const regions: [number, number][] = [
      [0, 64],
      [o.idle, 64 + 4 * 3],
      [o.inject, 64 + 4 * 1024],
    ];
    for (let i = 0; i < 3; i++)
      regions.push([o.localQueues + i * o.localQueueStride, 1088], [o.parkers + i * o.parkerStride, 64]);
    for (let m = 0; m < 4; m++) regions.push([o.mailboxes + m * o.mailboxStride, 256 + 4 * 64]);
    regions.sort((a, b) => a[0] - b[0]);
    for (let i = 0; i < regions.length; i++) {
      expect(regions[i]![0] % 64).toBe(0);
      if (i > 0) expect(regions[i]![0]).toBeGreaterThanOrEqual(regions[i - 1]![0] + regions[i - 1]![1]);
    }
    expect(regions[regions.length - 1]![0] + regions[regions.length - 1]![1]).toBeLessThanOrEqual(o.totalBytes);
    expect(layout.localQueues).toHaveLength(3);
    expect(layout.parkers).toHaveLength(3);
    expect(layout.mailboxes).toHaveLength(4);
    expect(layout.mainMailbox).toBe(layout.mailboxes[3]);
    expect(layout.inject.capacity).toBe(1024);
    expect(layout.idle.numWorkers).toBe(3);
  });

  test('attach rebuilds the same view of the buffer (as a worker would)', async () => {
    const main = SharedLayout.create({ workers: 2 });
    const worker = SharedLayout.attach(main.sab);
    expect(worker.offsets).toEqual(main.offsets);
    expect(worker.inject.capacity).toBe(1 << 20);
    expect(worker.mainMailbox.capacity).toBe(1 << 14);
    main.inject.push(5);
    expect(worker.inject.pop()).toBe(5);
    worker.mainMailbox.push(6);
    expect(main.mainMailbox.drainInto(new Int32Array(1))).toBe(1);
    const parked = worker.parkers[1]!.park();
    expect(main.parkers[1]!.unpark()).toBe(true);
    await parked;
    worker.localQueues[0]!.pushBackOrOverflow(9, worker.inject);
    expect(main.localQueues[0]!.len()).toBe(1);
  });

  test('rejects bad options and foreign buffers', () => {
    expect(() => SharedLayout.create({ workers: 0 })).toThrow(RangeError);
    expect(() => SharedLayout.create({ workers: 2, injectCapacity: 1000 })).toThrow(RangeError);
    expect(() => SharedLayout.attach(new SharedArrayBuffer(4096))).toThrow(/SharedLayout.create/);
    expect(() => SharedLayout.attach(new SharedArrayBuffer(8))).toThrow(RangeError);
  });
});
