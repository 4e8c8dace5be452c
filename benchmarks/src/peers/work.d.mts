export declare function inc(x: number): number;
export declare function fib(n: number): number;
export declare function handle(msg: { op: 'inc' | 'fib'; n: number }): number;
