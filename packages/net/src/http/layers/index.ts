/** tower / tower-http style layers for `Router.layer`. */
export { timeout } from './timeout.js';
export { concurrencyLimit } from './concurrency_limit.js';
export { loadShed } from './load_shed.js';
export type { LoadShedOptions } from './load_shed.js';
export { bodyLimit } from './body_limit.js';
export { requestId } from './request_id.js';
export type { RequestIdOptions } from './request_id.js';
export { trace } from './trace.js';
export type { TraceOptions } from './trace.js';
