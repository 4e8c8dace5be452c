/**
 * Mirrors the `.await` samples: `main_logic` awaiting `hello()` in the Rust async/await guide
 * (000, "How Do async fn and .await Work?") and `run_program` awaiting `fetch_data()` in the
 * chapter 23 guide (003, "async and await").
 *
 * Differs from Rust: nothing but syntax. `hello().await` is `await hello()`, and an async
 * function returns a Promise rather than an `impl Future`.
 */
import { main } from '@skein/core';

async function hello(): Promise<void> {
  console.log('Hello from hello!');
}

async function mainLogic(): Promise<void> {
  console.log('Starting...');
  await hello(); // suspends main_logic until hello() completes
  console.log('Done!');
}

// This function doesn't return data immediately: it returns a Promise of it.
async function fetchData(): Promise<string> {
  return 'Data fetched from database!';
}

async function runProgram(): Promise<void> {
  // While run_program is suspended here, the runtime is free to run other tasks.
  const data = await fetchData();
  console.log(data);
}

await main(async () => {
  await mainLogic();
  await runProgram();
});
