/**
 * The time driver: one timer wheel per runtime thread, driven by a single Node timer.
 *
 * A million sleeping tasks are a million wheel entries and one `setTimeout`, armed for the
 * earliest expiration and re-armed only when an earlier deadline arrives. Expired sleepers
 * are woken through the scheduler like every other runtime await.
 *
 * With the clock paused nothing is armed. Instead, whenever the scheduler runs dry the
 * driver checks (after one event-loop turn, so I/O callbacks get their chance) whether it
 * is still idle, and if so jumps the clock to the next deadline: Tokio's auto-advance, which
 * is what lets a test that sleeps an hour finish in milliseconds.
 */
import { SkeinError } from '../errors/skein_error.js';
import { Waiter } from '../task/waiter.js';
import { Clock } from './clock.js';
import { NOT_IN_WHEEL, TimerWheel, type WheelEntry } from './wheel.js';

const FAR_FUTURE_TICKS = 2 ** 40;

/**
 * A runtime await on the timer wheel (a sleep, or a `timeout`'s timer), and its own wheel
 * entry. On cancellation it leaves the wheel of its task's runtime, found through its
 * scope: no field points at the driver, because a million sleepers pay 8 bytes for every
 * field. Other waiters don't carry the wheel's fields.
 */
export class TimerWaiter extends Waiter<void> implements WheelEntry {
  deadline = 0;
  wheelPrev: WheelEntry | null = null;
  wheelNext: WheelEntry | null = null;
  wheelSlot = NOT_IN_WHEEL;

  override get waitLabel(): string {
    return 'sleep';
  }

  protected override onCancel(): void {
    this.task?.runtime.time.remove(this);
  }
}

/** The timers of one runtime thread. */
export class TimeDriver {
  readonly clock: Clock;
  readonly #wheel: TimerWheel<TimerWaiter>;
  /**
   * Whether this thread's scheduler has work (told by its onBusy/onIdle): the clock
   * auto-advances only while it has none.
   */
  #schedulerBusy = false;
  #timer: NodeJS.Timeout | undefined = undefined;
  #armedTick = Infinity;
  #autoAdvancePending = false;
  #closed = false;

  /**
   * Built before its thread's Scheduler, which reports to it: pass {@link schedulerIdle}
   * and {@link schedulerBusy} as the scheduler's `onIdle` and `onBusy`.
   */
  constructor(clock = new Clock()) {
    this.clock = clock;
    this.#wheel = new TimerWheel<TimerWaiter>(Math.floor(clock.now()));
  }

  /** The scheduler ran dry: a paused clock may jump to the next deadline (auto-advance). */
  readonly schedulerIdle = (): void => {
    this.#schedulerBusy = false;
    this.#onSchedulerIdle();
  };

  /** The scheduler has work again. */
  readonly schedulerBusy = (): void => {
    this.#schedulerBusy = true;
  };

  /** Timers currently registered. */
  get size(): number {
    return this.#wheel.size;
  }

  /**
   * A runtime await that resolves at `deadline` (clock milliseconds).
   * Cancel-safe: a cancelled sleep leaves the wheel at once.
   */
  sleepUntil(deadline: number): Promise<void> {
    const w = new TimerWaiter();
    this.insertWaiter(w, deadline);
    return w.promise;
  }

  /** Register a timer waiter made in one of this runtime's tasks; it is woken at `deadline`. */
  insertWaiter(w: TimerWaiter, deadline: number): void {
    if (!w.pending) return;
    if (this.#closed) {
      w.fail(new SkeinError('ERR_SKEIN_TIMER_SHUTDOWN', 'the runtime has shut down: its timers no longer fire'));
      return;
    }
    // A far (or infinite) deadline still needs an integer tick: ~34 years is "never".
    const tick = Math.min(Math.ceil(deadline), this.#wheel.elapsed + FAR_FUTURE_TICKS);
    // A paused clock's wheel only catches up when the runtime is idle, so a deadline that is
    // already due (`sleep(0)`, `sleepUntil(now)`, an interval's first tick) would wait for
    // the busy tasks to finish. Catch up now instead, firing earlier due timers first: the
    // sleep is ready at once, as in Tokio. (A running clock's due timers fire on the next
    // timers phase anyway.)
    if (this.clock.paused && tick > this.#wheel.elapsed && tick <= this.clock.now()) this.process();
    if (!this.#wheel.insert(w, tick)) {
      w.wake(undefined);
      return;
    }
    this.#arm(tick);
  }

  /** Take a cancelled timer off the wheel. */
  remove(w: TimerWaiter): void {
    this.#wheel.remove(w);
  }

  /** Fire every timer due at the clock's current time. */
  process(): void {
    this.#wheel.poll(Math.max(this.#wheel.elapsed, Math.floor(this.clock.now())), fire);
    this.#rearm();
  }

  /** Paused clock: move to `instant`, firing timers in deadline order on the way. */
  advanceTo(instant: number): void {
    this.clock.advanceTo(instant);
    this.process();
  }

  /** Re-arm after pause/resume changed the rules. */
  clockChanged(): void {
    this.#clearTimer();
    this.#rearm();
  }

  /** Stop the Node timer for good; pending sleepers are cancelled by their tasks' aborts. */
  close(): void {
    this.#closed = true;
    this.#clearTimer();
  }

  #rearm(): void {
    const next = this.#wheel.nextExpiration();
    if (next !== undefined) this.#arm(next);
  }

  #arm(tick: number): void {
    if (this.clock.paused) {
      if (!this.#schedulerBusy) this.#onSchedulerIdle();
      return;
    }
    if (tick >= this.#armedTick) return;
    this.#clearTimer();
    this.#armedTick = tick;
    this.#timer = setTimeout(this.#onTimer, Math.max(0, tick - this.clock.now()));
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedTick = Infinity;
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#armedTick = Infinity;
    this.process();
  };

  readonly #onSchedulerIdle = (): void => {
    if (!this.clock.paused || this.#autoAdvancePending || this.#wheel.size === 0 || this.#closed) return;
    this.#autoAdvancePending = true;
    setImmediate(this.#autoAdvance);
  };

  readonly #autoAdvance = (): void => {
    this.#autoAdvancePending = false;
    if (!this.clock.paused || this.#closed) return;
    if (this.#schedulerBusy) return;
    const next = this.#wheel.nextExpiration();
    if (next === undefined) return;
    this.advanceTo(Math.max(next, this.clock.now()));
  };
}

function fire(w: TimerWaiter): void {
  w.wake(undefined);
}
