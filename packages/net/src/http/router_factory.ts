/**
 * A router factory: a `task()` definition that builds the app's Router. Closures can't cross
 * threads, so a server whose workers accept builds its router on each worker by running the
 * factory there (actix-web's `HttpServer::new(|| App::new()...)`, one app per worker).
 */
import { isTaskDef, typeError, type TaskDef } from '@skein/core';
import { Router } from './router.js';

/**
 * A `task()` definition exported from a side-effect-free module that returns a Router:
 * `export const app = task(import.meta, function app() { return new Router().get(...) })`.
 */
export type RouterFactory<S = unknown> = TaskDef<[], Router<S>>;

/** A factory named by module URL and export name: what crosses to a worker. */
export interface FactoryRef {
  readonly url: string;
  readonly name: string;
}

/** The crossable name of `factory`. */
export async function factoryRef(factory: RouterFactory): Promise<FactoryRef> {
  return { url: factory.url, name: factory.exportName ?? (await factory.resolveName()) };
}

/** Run `factory` on this thread. Errors: TypeError when it returns no Router. */
export async function buildRouter(factory: RouterFactory): Promise<Router<unknown>> {
  const router: unknown = await factory.fn();
  if (!(router instanceof Router)) throw typeError('a router factory passed to serve() must return a Router');
  return router;
}

/** Import the factory `ref` names (on a worker) and run it. */
export async function buildRouterFrom(ref: FactoryRef): Promise<Router<unknown>> {
  const mod = (await import(ref.url)) as Record<string, unknown>;
  const def = mod[ref.name];
  if (!isTaskDef(def)) throw typeError(`export "${ref.name}" of ${ref.url} is not a task() definition`);
  return buildRouter(def as RouterFactory);
}
