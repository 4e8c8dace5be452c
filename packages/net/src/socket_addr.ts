/**
 * Socket addresses: what `bind` / `connect` take (a `"host:port"` string or `{ host, port }`)
 * and what `localAddr()` / `peerAddr()` / `accept()` return (Rust's `SocketAddr`).
 */
import { isIP, type AddressInfo } from 'node:net';
import { rangeError, typeError } from '@skein/core';

/** An address a socket is bound or connected to, as Node reports it. */
export interface SocketAddr {
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

/** What `bind` / `connect` accept: `"127.0.0.1:8080"`, `"[::1]:0"`, `"localhost:80"`, or `{ host?, port }`. */
export type ToSocketAddr = string | { readonly host?: string; readonly port: number };

/** A parsed address: a host (IP literal or name) and a validated port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parse an address argument.
 * Errors: TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for a malformed
 * address, RangeError `ERR_SOCKET_BAD_PORT` (Node's code) for a port outside 0..65535.
 */
export function parseAddr(addr: unknown, name = 'addr', defaultHost = '127.0.0.1'): HostPort {
  if (typeof addr === 'string') {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
    if (m === null) {
      throw typeError(
        `The "${name}" argument must be "host:port" (e.g. "127.0.0.1:8080" or "[::1]:8080"). Received "${addr.slice(0, 80)}"`,
        'ERR_INVALID_ARG_VALUE',
      );
    }
    const host = m[1] ?? m[2]!;
    return { host: host === '' ? defaultHost : host, port: checkPort(Number(m[3]), name) };
  }
  if (typeof addr === 'object' && addr !== null && 'port' in addr) {
    const { host, port } = addr as { host?: unknown; port: unknown };
    if (host !== undefined && typeof host !== 'string') {
      throw typeError(`The "${name}.host" property must be a string. Received type ${typeof host}`);
    }
    return { host: host === undefined || host === '' ? defaultHost : host, port: checkPort(port, `${name}.port`) };
  }
  throw typeError(
    `The "${name}" argument must be a "host:port" string or a { host, port } object. Received ${addr === null ? 'null' : typeof addr}`,
  );
}

/** Throw unless `port` is an integer in 0..65535. */
export function checkPort(port: unknown, name: string): number {
  if (typeof port !== 'number') {
    throw typeError(`The "${name}" argument must be a number. Received type ${typeof port}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw rangeError(
      `The "${name}" argument must be an integer >= 0 and < 65536. Received ${port}`,
      'ERR_SOCKET_BAD_PORT',
    );
  }
  return port;
}

/** Node's `address()` result as a SocketAddr. */
export function toSocketAddr(info: AddressInfo | { address?: string; port?: number; family?: string }): SocketAddr {
  const address = info.address ?? '';
  const family = info.family === 'IPv6' || isIP(address) === 6 ? 'IPv6' : 'IPv4';
  return { address, port: info.port ?? 0, family };
}

/** `"host:port"` for messages and URLs (`[::1]:80` for IPv6). */
export function formatAddr(addr: { address: string; port: number }): string {
  return isIP(addr.address) === 6 ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
}
