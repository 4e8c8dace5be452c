/**
 * Mirrors "What happens if an async task panics?" in the Rust async/await guide (000):
 * `match handle.await { Ok(result) => ..., Err(e) => ... }`, and the pitfall "Not handling
 * panics in spawn": a panicking task does not crash the program.
 *
 * Differs from Rust: a "panic" is a thrown error. The runtime catches it and awaiting the
 * handle throws a JoinError whose `isPanic()` is true and whose `cause` is what was thrown;
 * an aborted task gives `isCancelled()`. There is no `{:?}` Debug output, so the example
 * prints the error's fields. A handle nobody awaits that fails is logged by the runtime
 * rather than becoming an unhandled rejection.
 */
import { JoinError, main, sleep, spawn, type JoinHandle } from '@skein/core';

async function report(name: string, handle: JoinHandle<string>): Promise<void> {
  try {
    const result = await handle;
    console.log(`${name}: Task succeeded: ${JSON.stringify(result)}`);
  } catch (e) {
    if (!(e instanceof JoinError)) throw e;
    const why = e.isPanic() ? `panicked (${String(e.cause)})` : 'was cancelled';
    console.log(`${name}: Task panicked or was cancelled: task ${e.taskId} ${why}`);
  }
}

await main(async () => {
  const ok = spawn(async () => 'fine');
  const panics = spawn(async (): Promise<string> => {
    await sleep(1);
    throw new Error('index out of bounds');
  });
  const aborted = spawn(async () => {
    await sleep(1000);
    return 'never';
  });
  aborted.abort();

  await report('ok', ok);
  await report('panics', panics);
  await report('aborted', aborted);
  console.log('the runtime is still running after the panic');
});
