/**
 * @skein/console: the live view of a skein runtime (a page on 127.0.0.1, JSON under /api/,
 * server-sent events) and the Prometheus exporter. See the package README.
 */
export { serveConsole } from './server.js';
export type { ConsoleOptions, ConsoleServer } from './server.js';
export { startFromEnv } from './from_env.js';
export { prometheus, PromClientMissingError } from './prometheus.js';
export type { ConsoleRuntime, Snapshot, RuntimeSummary, WorkerRow, TaskDetail } from './snapshot.js';
export type { TaskRow, TrackedFields, ConsoleDumpEntry } from './task_row.js';
export type { Warning } from './warnings.js';
export type { ResourceRow } from './resources.js';
export type { PollTimes, PollTimeBucket } from './poll_times.js';
