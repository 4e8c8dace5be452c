/**
 * @skein/net: TCP, UDP and HTTP for skein tasks. Every connection and every request is a
 * task, so abort, timeout, select, task-locals and the metrics apply to them. Node does
 * the I/O and the HTTP parsing; skein schedules.
 */
export { TcpListener } from './tcp/tcp_listener.js';
export type { BindOptions } from './tcp/tcp_listener.js';
export { TcpStream } from './tcp/tcp_stream.js';
export type { ConnectOptions } from './tcp/tcp_stream.js';
export { ReadHalf, WriteHalf } from './tcp/split.js';
export { UdpSocket } from './udp_socket.js';
export type { UdpBindOptions } from './udp_socket.js';
export type { SocketAddr, ToSocketAddr } from './socket_addr.js';
export { SocketClosedError, UnexpectedEofError, WriteAfterShutdownError } from './errors.js';

export { Router } from './http/router.js';
export type {
  Handler,
  ClosureHandler,
  TaskHandler,
  Layer,
  Middleware,
  Next,
  RequestContext,
  ResponseBody,
} from './http/handler.js';
export { serve } from './http/serve.js';
export type { ServeOptions } from './http/serve.js';
export { Server } from './http/server.js';
export type { AcceptMode, ShutdownOptions } from './http/server.js';
export type { HttpSettings } from './http/http_serving.js';
export type { RouterFactory } from './http/router_factory.js';
export { AcceptModeUnsupportedError, availableAcceptModes } from './http/worker_serve.js';
export { PayloadTooLargeError } from './http/http_errors.js';
export * as layers from './http/layers/index.js';
