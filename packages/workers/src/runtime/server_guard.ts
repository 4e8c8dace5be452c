/**
 * Servers started by a task module in a worker thread fail at once, naming the module.
 *
 * A program that defines its tasks in the module that starts its server gets that module
 * imported by every worker, each starting the server again: on a fixed port the workers
 * die with `EADDRINUSE` and are replaced over and over. Every Node server (`http`,
 * `https`, `net`, and the frameworks on them) listens through `net.Server.prototype.listen`,
 * so a worker wraps it once to throw {@link TaskModuleSideEffectError} while it imports a
 * task module; the import fails and so do the tasks that needed it, with that error.
 */
import { Server } from 'node:net';
import { assertNoTaskModuleImport } from '@skein/core/internal';

let installed = false;

/** Install the check in this worker thread (once). */
export function guardServers(): void {
  if (installed) return;
  installed = true;
  const listen = Server.prototype.listen;
  Server.prototype.listen = function guardedListen(this: Server, ...args: unknown[]): Server {
    assertNoTaskModuleImport('server.listen()');
    return (listen as (...a: unknown[]) => Server).apply(this, args);
  } as typeof listen;
}
