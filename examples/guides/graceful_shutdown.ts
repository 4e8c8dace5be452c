/**
 * Mirrors the cancellation advice the guides give in prose: "Use tokio::select! to handle
 * cancellation tokens and timeouts. Design all long-running async operations to respond to
 * cancellation requests promptly. Ensure resources... are released properly when tasks are
 * cancelled" (001, "Implement Comprehensive Cancellation Handling"), and FAQ "How do you
 * cancel an async task?": dropping a JoinHandle does not cancel the task; use a
 * CancellationToken (000).
 *
 * Differs from Rust: there is no dropping in JavaScript, so "dropping the handle" is just
 * not awaiting it, and the task keeps running either way; `handle.abort()` is Tokio's
 * abort. CancellationToken is built in (tokio_util's), with an AbortSignal for APIs like
 * fetch. TaskTracker (also tokio_util) waits for the workers to finish after the token
 * fires, and the wait is bounded with `timeout`.
 */
import { CancellationToken, TaskTracker, main, select, sleep, spawn, timeout } from '@skein/core';

async function worker(id: number, token: CancellationToken): Promise<number> {
  let jobs = 0;
  try {
    for (;;) {
      const r = await select(
        {
          cancelled: () => token.cancelled(),
          job: () => sleep(3 + id), // one unit of work
        },
        { biased: true },
      ); // check the token first, as the guide suggests
      if (r.key === 'cancelled') break;
      jobs++;
    }
    return jobs;
  } finally {
    console.log(`worker ${id} shutting down after ${jobs} jobs`); // release resources here
  }
}

await main(async () => {
  // Not awaiting a handle does not cancel its task; abort() does.
  let ran = false;
  const detached = spawn(async () => {
    await sleep(5);
    ran = true;
  });
  void detached; // "dropped"
  const aborted = spawn(async () => {
    await sleep(5);
    console.log('never printed');
  });
  aborted.abort();
  await sleep(10);
  console.log(`detached task still ran: ${ran}; aborted task finished: ${aborted.isFinished()}`);

  // Graceful shutdown: one token, a child per worker, a tracker to wait on.
  const token = new CancellationToken();
  const tracker = new TaskTracker();
  for (let id = 0; id < 3; id++) {
    const child = token.child();
    tracker.spawn(() => worker(id, child));
  }
  tracker.close(); // no more tasks: wait() can resolve once they finish

  await sleep(20);
  console.log('shutdown requested');
  token.cancel();
  await timeout(100, tracker.wait());
  console.log('all workers stopped');
});
