/**
 * Importing task modules in runtime worker threads (once per thread), TypeScript included
 * (see `blocking/tsx_loader.ts` for how: Node's type stripping where it has it, else tsx).
 */
import { isTaskDef } from '@skein/core';
import { importModule } from '../blocking/tsx_loader.js';

let tsxApiUrl: string | undefined;

/** The tsx API URL the main thread found (passed in workerData). */
export function setTsxApiUrl(url: string | undefined): void {
  tsxApiUrl = url;
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

/** Import a task module (once per thread). */
export function importTaskModule(url: string): Promise<Record<string, unknown>> {
  let p = modules.get(url);
  if (p === undefined) {
    p = importModule(url, tsxApiUrl).then((ns) => {
      // Name the module's task definitions now, so spawning them from this thread needs no
      // asynchronous export-name lookup (tasks that spawn themselves, say).
      for (const key of Object.keys(ns)) {
        const v = ns[key];
        if (isTaskDef(v) && v.exportName === undefined) v.exportName = key;
      }
      return ns;
    });
    modules.set(url, p);
  }
  return p;
}
