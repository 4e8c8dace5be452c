/**
 * Task tracking captures a call site once per place in the code, not once per call (a
 * capture costs more than a spawn). Identical closures on two lines, or one task body that
 * awaits at two lines, share a cache key: the cache's checks (at the 1st, 2nd, 4th, … use
 * of a key) must tell them apart, and from then on each gets its own site.
 */
import { describe, expect, it } from 'vitest';
import { sleep, spawn, type JoinHandle, type TaskDumpEntry } from '@skein/core';
import { build } from './helpers.js';

const sitesOf = (d: TaskDumpEntry[], hs: JoinHandle<unknown>[], field: 'spawnSite' | 'waitingOn'): string[] =>
  hs.map((h) => String(d.find((e) => e.id === h.id)?.[field]));

describe('call sites under task tracking', () => {
  it('gives a loop one spawn site, and identical closures on two lines their own', async () => {
    const rt = await build(true);
    await rt.blockOn(async () => {
      const a: JoinHandle<void>[] = [];
      const b: JoinHandle<void>[] = [];
      for (let i = 0; i < 20; i++) a.push(spawn(() => sleep(60_000)));
      for (let i = 0; i < 20; i++) b.push(spawn(() => sleep(60_000)));
      for (let i = 0; i < 20; i++) a.push(spawn(() => sleep(60_000)));
      await sleep(5);
      const d = await rt.taskDump();
      const siteA = sitesOf(d, a, 'spawnSite');
      const siteB = sitesOf(d, b, 'spawnSite');
      const [lineA, lineB, lineC] = [siteA[0]!, siteB.at(-1)!, siteA.at(-1)!];
      for (const s of [lineA, lineB, lineC]) expect(s).toMatch(/site_cache\.test\.ts:\d+$/);
      expect(new Set([lineA, lineB, lineC]).size).toBe(3);
      // The first loop is all one site; the second is told apart by the check at the key's
      // 32nd use (its 13th task), and the third loop, once the key is known to be shared,
      // is captured each time.
      expect(new Set(siteA.slice(0, 20))).toEqual(new Set([lineA]));
      expect(siteB.slice(12)).toEqual(Array(8).fill(lineB));
      expect(new Set(siteB.slice(0, 12))).toEqual(new Set([lineA]));
      expect(siteA.slice(20)).toEqual(Array(20).fill(lineC));
      for (const h of [...a, ...b]) h.abort();
    });
  });

  it("gives one closure spawned from two lines each caller's site", async () => {
    const rt = await build(true);
    await rt.blockOn(async () => {
      const body = () => sleep(60_000);
      const a = spawn(body);
      const b = spawn(body);
      await sleep(5);
      const [siteA, siteB] = sitesOf(await rt.taskDump(), [a, b], 'spawnSite');
      expect(siteA).toMatch(/site_cache\.test\.ts:\d+$/);
      expect(siteB).toMatch(/site_cache\.test\.ts:\d+$/);
      expect(siteA).not.toBe(siteB);
      a.abort();
      b.abort();
    });
  });

  it("gives one body spawned by two tasks' code each spawner's site, once a check has seen both", async () => {
    const rt = await build(true);
    await rt.blockOn(async () => {
      const body = () => sleep(60_000);
      const fromA = async () => Array.from({ length: 20 }, () => spawn(body));
      const fromB = async () => Array.from({ length: 20 }, (_unused) => spawn(body));
      const a = await spawn(fromA);
      const b = await spawn(fromB);
      const a2 = await spawn(fromA);
      const b2 = await spawn(fromB);
      await sleep(5);
      const d = await rt.taskDump();
      const [siteA, siteB, siteA2, siteB2] = [a, b, a2, b2].map((hs) => sitesOf(d, hs, 'spawnSite'));
      const [lineA, lineB] = [siteA[0]!, siteB.at(-1)!];
      for (const s of [lineA, lineB]) expect(s).toMatch(/site_cache\.test\.ts:\d+$/);
      expect(lineA).not.toBe(lineB);
      // B's spawns share the key of A's until the check at its 32nd use (B's 13th spawn);
      // from then on the spawning task's code tells the two places apart.
      expect(siteA).toEqual(Array(20).fill(lineA));
      expect(siteB.slice(12)).toEqual(Array(8).fill(lineB));
      expect(siteA2).toEqual(Array(20).fill(lineA));
      expect(siteB2).toEqual(Array(20).fill(lineB));
      for (const h of [...a, ...b, ...a2, ...b2]) h.abort();
    });
  });

  it('tells apart the lines one task body awaits at', async () => {
    const rt = await build(true);
    await rt.blockOn(async () => {
      const body = (first: boolean) => async () => {
        if (first) await sleep(60_000);
        else await sleep(60_000);
      };
      const hs = [spawn(body(true)), spawn(body(true)), spawn(body(false)), spawn(body(false))];
      await sleep(5);
      const w = sitesOf(await rt.taskDump(), hs, 'waitingOn');
      for (const s of w) expect(s).toMatch(/^sleep at .*site_cache\.test\.ts:\d+$/);
      expect(w[0]).toBe(w[1]);
      expect(w[2]).toBe(w[3]);
      expect(w[0]).not.toBe(w[2]);
      for (const h of hs) h.abort();
    });
  });

  it("tells sites apart without touching a user's Error.prepareStackTrace", async () => {
    const saved = Error.prepareStackTrace;
    let formatted = 0;
    const prepare = (err: Error, frames: NodeJS.CallSite[]): string => {
      formatted++;
      return `${err}\n${frames.map((f) => `    at ${f}`).join('\n')}`;
    };
    Error.prepareStackTrace = prepare;
    try {
      const rt = await build(true);
      await rt.blockOn(async () => {
        const a = Array.from({ length: 20 }, () => spawn(() => sleep(60_000)));
        const b = Array.from({ length: 20 }, () => spawn(() => sleep(60_000)));
        expect(Error.prepareStackTrace).toBe(prepare);
        await sleep(5);
        const d = await rt.taskDump();
        const [siteA, siteB] = [sitesOf(d, a, 'spawnSite'), sitesOf(d, b, 'spawnSite')];
        expect(siteA[0]).toMatch(/site_cache\.test\.ts:\d+$/);
        expect(siteB.at(-1)).toMatch(/site_cache\.test\.ts:\d+$/);
        expect(siteB.at(-1)).not.toBe(siteA[0]);
        // Spawn sites shown in the dump are formatted by the user's function, as any stack.
        expect(formatted).toBeGreaterThan(0);
        for (const h of [...a, ...b]) h.abort();
      });
    } finally {
      Error.prepareStackTrace = saved;
    }
  });
});
