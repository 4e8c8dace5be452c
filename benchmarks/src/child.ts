/**
 * Measurements that need a process of their own (a heap with nothing else in it, or a Node
 * without skein loaded): run the script with this Node and read the JSON line it prints last.
 */
import { execFileSync } from 'node:child_process';

/** Run `node ...args` to completion and parse the last line of its stdout as JSON. */
export function childJson<T>(args: readonly string[]): T {
  const out = execFileSync(process.execPath, args, { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}
