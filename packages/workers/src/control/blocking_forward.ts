/**
 * `spawnBlocking` from a task on a worker thread.
 *
 * Tokio has one blocking pool per runtime, reachable from every worker. skein's blocking
 * pool (piscina) lives on the main thread, so a worker forwards the job there: the task's
 * (module URL, export name) and its arguments go up the worker's parentPort, the main
 * thread spawns it on the runtime's pool, and the outcome comes back the same way. The
 * handle on the worker is a RemoteTask like any cross-thread handle (abort included).
 * Blocking jobs run for milliseconds at least, so a message round trip is cheap here.
 *
 * Shared primitives among the arguments travel in the pool's posted form (kind and buffer,
 * `sync/handle_codec.ts`): the worker counts the copy in flight, as any crossing does; the
 * main thread rebuilds the handles, spawns the job (which counts the pool thread's own
 * copy and remembers the primitive for its dead-thread sweep) and drops the one in flight.
 * A job that is never posted (its arguments can't be cloned, its export name can't be
 * found, it was aborted first) drops its copies on the worker. A result's handles go back
 * the same way: the main thread counts the worker's copy and drops its own.
 */
import type { Logger } from 'pino';
import { JoinError, SerializationError, type JoinHandle } from '@skein/core';
import type { RuntimeCore, TaskDef } from '@skein/core/internal';
import '../codec/core_errors.js'; // decoded panics keep skein's classes
import { decodeThrown, encodeThrown, type EncodedThrown } from '../codec/error_codec.js';
import { RemoteTask, type RemoteControl } from '../scheduler/remote_task.js';
import { dropHandlesIn, dropOwned, dropPosted, holdsObjects, revivePosted, toPostable } from '../sync/handle_codec.js';
import '../sync/revive.js'; // both sides rebuild whatever handle class the arguments carry

/** Worker → main: run a blocking job / abort it. Main → worker: its outcome. */
export type BlockingMessage =
  | {
      readonly t: 'skein:blk';
      readonly id: number;
      readonly url: string;
      readonly name: string;
      readonly args: unknown[];
      /** `args` hold shared handles in their posted form (see handle_codec.toPostable). */
      readonly handles?: true;
    }
  | { readonly t: 'skein:blk-abort'; readonly id: number }
  | {
      readonly t: 'skein:blk-done';
      readonly id: number;
      readonly ok: boolean;
      readonly cancelled: boolean;
      readonly v: unknown;
      /** `v` holds shared handles in their posted form. */
      readonly handles?: true;
    };

/** Whether `m` is one of the blocking-forwarding messages. */
export function isBlockingMessage(m: unknown): m is BlockingMessage {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { t?: unknown }).t === 'string' &&
    (m as { t: string }).t.startsWith('skein:blk')
  );
}

interface Port {
  postMessage(m: unknown): void;
}

/** The worker side: forwards jobs and settles their handles. */
export class BlockingForwarder implements RemoteControl {
  readonly logger: Logger;
  readonly #port: Port;
  readonly #tasks = new Map<number, RemoteTask<unknown>>();

  constructor(port: Port, logger: Logger) {
    this.#port = port;
    this.logger = logger;
  }

  /** Forward `def(...args)`; throws SerializationError at once if the arguments can't cross. */
  spawn<R>(def: TaskDef<unknown[], R>, args: unknown[], id: number): RemoteTask<R> {
    const task = new RemoteTask<R>(this, id, def.exportName ?? def.fn.name);
    // The worker keeps no list of the primitives it forwards: the pool keeps its own.
    const posted = holdsObjects(args) ? (toPostable(args) as unknown[]) : args;
    const handles = posted !== args ? true : undefined;
    const send = (name: string): void => {
      if (task.isFinished()) {
        dropPosted(posted); // aborted while its export name was being looked up
        return;
      }
      try {
        this.#port.postMessage({
          t: 'skein:blk',
          id,
          url: def.url,
          name,
          args: posted,
          handles,
        } satisfies BlockingMessage);
      } catch (err) {
        dropPosted(posted);
        throw new SerializationError(`the arguments of spawnBlocking(${name})`, err);
      }
      this.#tasks.set(id, task as RemoteTask<unknown>);
    };
    if (def.exportName !== undefined) {
      send(def.exportName);
    } else {
      try {
        structuredClone(posted); // validate now, before anything is queued
      } catch (err) {
        dropPosted(posted);
        throw new SerializationError(`the arguments of spawnBlocking(${def.fn.name})`, err);
      }
      def.resolveName().then(send, (err: unknown) => {
        dropPosted(posted);
        task.settle(false, new JoinError('panic', id, err));
      });
    }
    return task;
  }

  /** A message from the main thread. */
  onMessage(m: BlockingMessage): void {
    if (m.t !== 'skein:blk-done') return;
    const task = this.#tasks.get(m.id);
    if (task === undefined) {
      if (m.handles) dropPosted(m.v); // aborted meanwhile: the result's copies go
      return;
    }
    this.#tasks.delete(m.id);
    if (m.ok) task.settle(true, m.handles ? revivePosted(m.v).value : m.v);
    else
      task.settle(
        false,
        new JoinError(
          m.cancelled ? 'cancelled' : 'panic',
          m.id,
          m.cancelled ? undefined : decodeThrown(m.v as EncodedThrown),
        ),
      );
  }

  abortRemote(task: RemoteTask<unknown>): void {
    if (this.#tasks.delete(task.id))
      this.#port.postMessage({ t: 'skein:blk-abort', id: task.id } satisfies BlockingMessage);
  }

  watch(): void {
    // The worker thread is kept alive by its control port; nothing to do.
  }

  /** Shutdown: every forwarded job still pending is cancelled. */
  cancelAll(): void {
    for (const t of this.#tasks.values()) t.settle(false, new JoinError('cancelled', t.id));
    this.#tasks.clear();
  }
}

/** The main-thread side: runs forwarded jobs on the runtime's blocking pool for one worker. */
export class BlockingRelay {
  readonly #rt: RuntimeCore;
  readonly #jobs = new Map<number, JoinHandle<unknown>>();

  constructor(rt: RuntimeCore) {
    this.#rt = rt;
  }

  /** Handle a message from the worker; `reply` posts back to it. */
  onMessage(m: BlockingMessage, reply: Port): void {
    if (m.t === 'skein:blk-abort') {
      this.#jobs.get(m.id)?.abort();
      return;
    }
    if (m.t !== 'skein:blk') return;
    const def = {
      [Symbol.for('skein.task')]: true,
      url: m.url,
      exportName: m.name,
      fn: { name: m.name },
      resolveName: () => Promise.resolve(m.name),
    };
    // The handles in flight become this thread's for a moment: the job counts its own copies.
    const { value: args, owned } = m.handles ? revivePosted(m.args) : { value: m.args, owned: undefined };
    let h: JoinHandle<unknown>;
    try {
      h = this.#rt.spawnBlockingTask(def as unknown as TaskDef<unknown[], unknown>, args);
    } catch (err) {
      reply.postMessage({
        t: 'skein:blk-done',
        id: m.id,
        ok: false,
        cancelled: false,
        v: encodeThrown(err),
      } satisfies BlockingMessage);
      return;
    } finally {
      dropOwned(owned);
    }
    this.#jobs.set(m.id, h);
    h.then(
      (v) => this.#reply(reply, passOn(m.id, v)),
      (e: unknown) => {
        const cancelled = e instanceof JoinError && e.isCancelled();
        const cause = e instanceof JoinError && e.isPanic() ? e.cause : e;
        this.#reply(reply, {
          t: 'skein:blk-done',
          id: m.id,
          ok: false,
          cancelled,
          v: cancelled ? undefined : encodeThrown(cause),
        });
      },
    );
  }

  #reply(port: Port, m: BlockingMessage): void {
    this.#jobs.delete(m.id);
    try {
      port.postMessage(m);
    } catch (err) {
      port.postMessage({
        t: 'skein:blk-done',
        id: m.id,
        ok: false,
        cancelled: false,
        v: encodeThrown(err),
      } satisfies BlockingMessage);
    }
  }
}

/** Job `id`'s result for the worker: its handles count a copy there, and this thread's copies go. */
function passOn(id: number, v: unknown): BlockingMessage {
  const posted = toPostable(v);
  if (posted === v) return { t: 'skein:blk-done', id, ok: true, cancelled: false, v };
  dropHandlesIn(v);
  return { t: 'skein:blk-done', id, ok: true, cancelled: false, v: posted, handles: true };
}
