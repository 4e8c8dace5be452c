/**
 * Task modules for the blocking-pool benchmarks. Side-effect free: pool threads import it.
 * `piscinaTiny` is the same function as a plain export, for raw piscina.
 */
import { task } from '@skein/core';

/** A small synchronous task: a few hundred arithmetic operations. */
export function piscinaTiny(x: number): number {
  let s = x;
  for (let i = 0; i < 200; i++) s = (s * 31 + i) % 1_000_003;
  return s;
}

/** The same work as a skein task definition. */
export const tiny = task(import.meta, function tiny(x: number): number {
  return piscinaTiny(x);
});

/** Burns the CPU for `ms` milliseconds. */
export const burn = task(import.meta, function burn(ms: number): number {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
});

/** piscina's default export convention: the handler. */
export default piscinaTiny;
