import autocannon from 'autocannon';
import { startServer } from '/work/wt/net/benchmarks/src/net/server_process.ts';
for (const kind of process.argv.slice(3)) {
  const s = await startServer(kind);
  const path = process.argv[2]!;
  await autocannon({ url: `http://127.0.0.1:${s.port}${path}`, connections: 32, amount: 2000 });
  const r = await autocannon({ url: `http://127.0.0.1:${s.port}${path}`, connections: 32, duration: 4 });
  console.log(kind, Math.round(r.requests.average), 'req/s p50', r.latency.p50, 'p99', r.latency.p99, 'non2xx', r.non2xx, 'errors', r.errors);
  await s.stop();
}
