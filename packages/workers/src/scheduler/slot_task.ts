/**
 * A task started from a slot: a core {@link LocalTask} of the worker that claimed it, which
 * remembers where its outcome goes.
 */
import { LocalTask, type RuntimeCore } from '@skein/core/internal';
import type { OwnedHandle } from '../sync/handle_codec.js';

/** A slot task running on this worker. */
export class SlotTask extends LocalTask<unknown> {
  /** The slot, until the outcome has been written (then -1: the spawner may reuse it). */
  slot: number;
  /** Whether its arguments were decoded out of the slot (else the slot's payload is released at the end). */
  readonly argsRead: boolean;
  /** Shared channel ends its arguments carried (see sync/handle_codec.ts): its own, dropped with it. */
  readonly owned: OwnedHandle[] | undefined;

  constructor(
    rt: RuntimeCore,
    fn: (...args: unknown[]) => unknown,
    args: unknown[] | undefined,
    name: string,
    id: number,
    slot: number,
    owned: OwnedHandle[] | undefined,
  ) {
    super(rt, fn, args, name, id);
    this.slot = slot;
    this.argsRead = args !== undefined;
    this.owned = owned;
    // Its outcome goes to the spawner's RemoteTask, which logs a panic nobody awaited:
    // logging here too would report panics that were awaited and handled.
    this.markObserved();
  }
}
