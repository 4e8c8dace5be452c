/**
 * Mirrors the channel kinds the Tokio guide (004, "Channels for Async Communication Between
 * Tasks") names after its mpsc sample but does not show: "For single-producer scenarios,
 * oneshot::channel provides a lighter-weight option. For broadcasting to multiple
 * consumers, broadcast::channel clones messages to every active receiver."
 *
 * Differs from Rust: a oneshot receiver is itself awaitable (PromiseLike), and a sender
 * closed without sending makes it reject with RecvError instead of returning `Err`.
 * broadcast `recv()` returns the value or throws RecvError (`closed`, or `lagged` with the
 * count of missed messages); "clones" are the same object for every receiver, since
 * nothing crosses a thread here, so values should be treated as immutable.
 */
import { RecvError, broadcast, join, main, oneshot, spawn } from '@skein/core';

await main(async () => {
  // oneshot: a request carries its reply channel, a common Tokio pattern.
  const [replyTx, replyRx] = oneshot.channel<number>();
  spawn(async () => {
    replyTx.send(6 * 7);
  });
  console.log(`oneshot reply: ${await replyRx}`);

  // broadcast: every subscriber sees every message sent after it subscribed.
  const [tx, rx1] = broadcast.channel<string>(16);
  const rx2 = tx.subscribe();
  async function listen(rx: broadcast.BroadcastReceiver<string>): Promise<string[]> {
    const got: string[] = [];
    for (;;) {
      try {
        got.push(await rx.recv());
      } catch (e) {
        if (e instanceof RecvError && e.kind === 'closed') return got;
        throw e;
      }
    }
  }
  const listeners = join(
    () => listen(rx1),
    () => listen(rx2),
  );
  for (const event of ['start', 'tick', 'stop'])
    console.log(`broadcast "${event}" reached ${tx.send(event)} receivers`);
  tx.close(); // like dropping the last Sender: receivers see `closed` after draining
  const [a, b] = await listeners;
  console.log(`receiver a got ${JSON.stringify(a)}, receiver b got ${JSON.stringify(b)}`);
});
