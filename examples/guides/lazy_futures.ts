/**
 * Mirrors "How Do async fn and .await Work?" in the Rust async/await guide (000):
 * `let future = hello();` does nothing until it is awaited, because Rust futures are lazy.
 *
 * Differs from Rust: a JavaScript async function starts running the moment it is called,
 * up to its first await; the promise is a receipt for work already under way. The lazy
 * "future" in skein is a thunk, `() => hello()`: nothing runs until somebody calls it. The
 * combinators (`join`, `tryJoin`, `select`, `timeout`) take thunks so that they decide when
 * the work starts and can cancel it.
 */
import { main, timeout } from '@skein/core';

async function hello(): Promise<void> {
  console.log('Hello, world!');
}

await main(async () => {
  console.log('calling hello() without await:');
  // Unlike Rust, this prints at once: the call is the start, not the description.
  void hello();

  console.log('making a thunk instead:');
  const future = (): Promise<void> => hello();
  console.log('thunk made, nothing printed; running it through timeout():');
  await timeout(100, future);
});
