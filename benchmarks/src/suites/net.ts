/**
 * @skein/net against node:http, fastify, node:http + piscina and node:net, each server in a
 * child process of its own, loaded by autocannon (HTTP) or a node:net client (TCP) from
 * this process, alternated round by round on 127.0.0.1. A round is a fixed number of
 * requests (or bytes), so the harness's ops/s is the round's throughput; p50/p99 latencies
 * come from autocannon and are reported as notes.
 */
import autocannon from 'autocannon';
import { availableAcceptModes } from '@skein/net';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Bench, Contender } from '../harness.js';
import { fmt } from '../harness.js';
import type { Note } from '../report.js';
import { heapPerIdleConnection } from '../net/idle_heap.js';
import { startServer, type ServerProcess } from '../net/server_process.js';
import { echoLoad } from '../net/tcp_load.js';

const CONNECTIONS = 32;
const latencies = new Map<string, { p50: number[]; p99: number[] }>();

/** A contender serving HTTP from a child process, loaded with `amount` requests a round. */
function httpContender(bench: string, name: string, kind: string, path: string, amount: number): Contender {
  let server: ServerProcess | undefined;
  const key = `${bench}: ${name}`;
  latencies.set(key, { p50: [], p99: [] });
  return {
    name,
    ops: amount,
    async setup() {
      server = await startServer(kind);
    },
    async teardown() {
      await server?.stop();
    },
    async run() {
      const r = await autocannon({
        url: `http://127.0.0.1:${server!.port}${path}`,
        connections: CONNECTIONS,
        amount,
        timeout: 30,
      });
      if (r.errors > 0 || r.non2xx > 0) throw new Error(`${key}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
      const l = latencies.get(key)!;
      l.p50.push(r.latency.p50);
      l.p99.push(r.latency.p99);
    },
  };
}

/**
 * http_state's skein server profiled under load: task tracking on and the console serving
 * it (SKEIN_TRACKING and SKEIN_CONSOLE in the child's environment, as a user turns them
 * on), with a client here reading the console's live stream (/api/events) for the whole
 * bench, as an open console page does. Issue target: ≥ 0.9× the untracked skein row.
 */
function profiledHttpState(amount: number): Contender {
  const inner = httpContender(
    'http_state',
    'skein current-thread, tracking + console page',
    'state:skein-current',
    '/users/1',
    amount,
  );
  let page: AbortController | undefined;
  let snapshots = 0;
  let reading: Promise<void> = Promise.resolve();
  return {
    ...inner,
    async setup() {
      const consolePort = await freePort();
      const saved = { SKEIN_TRACKING: process.env.SKEIN_TRACKING, SKEIN_CONSOLE: process.env.SKEIN_CONSOLE };
      Object.assign(process.env, { SKEIN_TRACKING: '1', SKEIN_CONSOLE: String(consolePort) });
      try {
        await inner.setup!();
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
      page = new AbortController();
      const res = await fetch(`http://127.0.0.1:${consolePort}/api/events`, { signal: page.signal });
      if (!res.ok || res.body === null) throw new Error(`the console answered /api/events with ${res.status}`);
      reading = (async () => {
        try {
          for await (const chunk of res.body!.pipeThrough(new TextDecoderStream()))
            snapshots += chunk.split('event: snapshot').length - 1;
        } catch {
          // Aborted at teardown.
        }
      })();
    },
    async teardown() {
      page?.abort();
      await reading;
      await inner.teardown!();
      if (snapshots === 0) throw new Error('the console page received no snapshot while the bench ran');
    },
  };
}

/** A port free on 127.0.0.1 now. */
async function freePort(): Promise<number> {
  const srv = createTcpServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

function tcpContender(name: string, kind: string, bytesPerConn: number): Contender {
  let server: ServerProcess | undefined;
  return {
    name,
    ops: (CONNECTIONS * bytesPerConn) / 2 ** 20,
    async setup() {
      server = await startServer(kind);
    },
    async teardown() {
      await server?.stop();
    },
    run: () => echoLoad(server!.port, CONNECTIONS, bytesPerConn),
  };
}

/** The HTTP and TCP benches; `quick` shrinks every round. */
export function netBenches(quick = false): Bench[] {
  const scale = quick ? 0.2 : 1;
  const hello = Math.round(20_000 * scale);
  return [
    {
      name: 'http_hello',
      description: 'GET / → tiny JSON, 32 keep-alive connections',
      unit: 'req/s',
      baseline: 'node:http',
      target: {
        value: 0.9,
        kind: 'ratio-min',
        note: 'skein current-thread ≥ 0.9× node:http',
        contender: 'skein current-thread',
      },
      contenders: [
        httpContender('http_hello', 'skein current-thread', 'hello:skein-current', '/', hello),
        httpContender('http_hello', 'skein multi-thread (main accepts)', 'hello:skein-multi', '/', hello),
        httpContender('http_hello', 'skein multi-thread (workers accept)', 'hello:skein-workers', '/', hello),
        ...(availableAcceptModes().includes('handoff')
          ? [
              httpContender(
                'http_hello',
                'skein multi-thread (main hands off to workers)',
                'hello:skein-handoff',
                '/',
                hello,
              ),
            ]
          : []),
        httpContender('http_hello', 'node:http', 'hello:node-http', '/', hello),
        httpContender('http_hello', 'fastify', 'hello:fastify', '/', hello),
      ],
    },
    {
      name: 'http_cpu',
      description: 'GET /fib/25 computed in the handler, 2 worker threads',
      unit: 'req/s',
      baseline: 'node:http + piscina',
      target: {
        value: 1.3,
        kind: 'ratio-min',
        note: '≥ 1.3× node:http + piscina, lower p99',
        contender: 'skein task() handler',
      },
      contenders: [
        httpContender('http_cpu', 'skein task() handler', 'cpu:skein-task', '/fib/25', Math.round(1_000 * scale)),
        httpContender(
          'http_cpu',
          'skein workers accept (router factory)',
          'cpu:skein-workers',
          '/fib/25',
          Math.round(1_000 * scale),
        ),
        httpContender('http_cpu', 'node:http + piscina', 'cpu:node-piscina', '/fib/25', Math.round(1_000 * scale)),
      ],
    },
    {
      name: 'http_state',
      description: 'GET /users/{id}: read lock, 1 ms sleep, JSON',
      unit: 'req/s',
      baseline: 'node:http',
      target: { value: 0.9, kind: 'ratio-min', note: '≥ 0.9× node:http' },
      contenders: [
        httpContender(
          'http_state',
          'skein current-thread',
          'state:skein-current',
          '/users/1',
          Math.round(10_000 * scale),
        ),
        httpContender('http_state', 'node:http', 'state:node-http', '/users/1', Math.round(10_000 * scale)),
        profiledHttpState(Math.round(10_000 * scale)),
      ],
    },
    {
      name: 'tcp_echo',
      description: '64 KiB chunks echoed, 32 connections',
      unit: 'MiB/s',
      baseline: 'node:net',
      target: { value: 0.8, kind: 'ratio-min', note: '≥ 0.8× node:net throughput' },
      contenders: [
        tcpContender('skein TcpStream', 'tcp:skein', Math.round(4 * 2 ** 20 * scale)),
        tcpContender('node:net', 'tcp:node-net', Math.round(4 * 2 ** 20 * scale)),
      ],
    },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? NaN;
}

/** Latency medians of the HTTP rounds, and heap per idle keep-alive connection. */
export async function netNotes(log: (line: string) => void, quick: boolean): Promise<Note[]> {
  const notes: Note[] = [];
  for (const [key, l] of latencies) {
    if (l.p50.length === 0) continue;
    notes.push({ name: `${key} latency`, figure: `p50 ${median(l.p50)} ms, p99 ${median(l.p99)} ms` });
  }
  const cpu = (name: string): number => median(latencies.get(`http_cpu: ${name}`)?.p99 ?? []);
  const skeinP99 = cpu('skein task() handler');
  const piscinaP99 = cpu('node:http + piscina');
  if (!Number.isNaN(skeinP99) && !Number.isNaN(piscinaP99)) {
    notes.push({
      name: 'http_cpu: p99, skein vs piscina',
      figure: `${skeinP99} ms vs ${piscinaP99} ms`,
      target: 'lower than piscina',
      met: skeinP99 < piscinaP99,
    });
  }
  const n = quick ? 1_000 : 10_000;
  const skein = await heapPerIdleConnection('idle:skein-current', n);
  const node = await heapPerIdleConnection('idle:node-http', n);
  log(`  heap per idle keep-alive connection (${n}): skein ${fmt(skein)} B, node:http ${fmt(node)} B`);
  notes.push({
    name: `heap per idle keep-alive connection (${n} connections)`,
    figure: `skein ${(skein / 1024).toFixed(2)} KiB, node:http ${(node / 1024).toFixed(2)} KiB (${(skein / node).toFixed(2)}×)`,
  });
  return notes;
}
