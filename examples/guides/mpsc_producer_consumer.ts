/**
 * Mirrors "Channels for Async Communication Between Tasks" in the Tokio guide (004): a
 * bounded `mpsc::channel::<String>(32)`, a spawned producer sending five messages, and a
 * consumer looping on `rx.recv().await` until the channel closes.
 *
 * Differs from Rust: the channel closes when the sender is closed, not when it is dropped
 * (no destructors in JavaScript); `using tx` in the producer closes it when the block exits,
 * which is the same moment Rust drops it. `while let Some(msg)` becomes a check for
 * `undefined`; `for await (const msg of rx)` is the shorter spelling.
 */
import { main, mpsc, sleep, spawn } from '@skein/core';

await main(async () => {
  // Bounded channel with capacity 32: send() waits when it is full (backpressure).
  const [sender, rx] = mpsc.channel<string>(32);

  // Producer task.
  const producer = spawn(async () => {
    using tx = sender; // closed at the end of this block, closing the channel
    for (let i = 0; i < 5; i++) {
      await tx.send(`message-${i}`);
      await sleep(2);
    }
  });

  // Consumer reads until the channel closes.
  let msg: string | undefined;
  while ((msg = await rx.recv()) !== undefined) {
    console.log(`Received: ${msg}`);
  }
  await producer;
  console.log('channel closed');
});
