// The work every peer runs, shared so that all of them compute exactly the same thing.
export function inc(x) {
  return x + 1;
}

export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** Dispatch on a message: { op: 'inc' | 'fib', n }. Peers that take one handler use this. */
export function handle(msg) {
  return msg.op === 'inc' ? inc(msg.n) : fib(msg.n);
}
