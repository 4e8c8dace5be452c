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
