/**
 * Route paths, axum's syntax: literal segments, `{name}` for one segment, `{*name}` for
 * the rest of the path (last segment only). Matching is by segment, on the decoded path.
 *
 * Priority follows axum (matchit): a literal segment beats `{param}`, which beats
 * `{*wildcard}`, whatever order the routes were added in.
 */
import { typeError } from '@skein/core';

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'rest'; readonly name: string };

/** A compiled route path. */
export class PathPattern {
  readonly path: string;
  readonly #segments: readonly Segment[];
  /** Sort key: higher matches first (see the module comment). */
  readonly rank: readonly number[];

  /** Errors: TypeError (`ERR_INVALID_ARG_VALUE`) for a path that is not valid route syntax. */
  constructor(path: string) {
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw typeError(
        `A route path must be a string starting with "/". Received ${JSON.stringify(path)}`,
        'ERR_INVALID_ARG_VALUE',
      );
    }
    this.path = path;
    const parts = splitPath(path);
    const names = new Set<string>();
    this.#segments = parts.map((p, i) => {
      const m = /^\{(\*?)([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(p);
      if (m === null) {
        if (p.includes('{') || p.includes('}')) {
          throw typeError(
            `Route "${path}": a segment is either literal or a whole "{name}" / "{*name}" (got "${p}")`,
            'ERR_INVALID_ARG_VALUE',
          );
        }
        return { kind: 'literal', text: p };
      }
      const name = m[2]!;
      if (names.has(name))
        throw typeError(`Route "${path}": parameter "${name}" appears twice`, 'ERR_INVALID_ARG_VALUE');
      names.add(name);
      if (m[1] === '*') {
        if (i !== parts.length - 1)
          throw typeError(`Route "${path}": "{*${name}}" must be the last segment`, 'ERR_INVALID_ARG_VALUE');
        return { kind: 'rest', name };
      }
      return { kind: 'param', name };
    });
    this.rank = this.#segments.map((s) => (s.kind === 'literal' ? 3 : s.kind === 'param' ? 2 : 1));
  }

  /** The parameters when `segments` (a split request path) matches, else undefined. */
  match(segments: readonly string[]): Record<string, string> | undefined {
    const pat = this.#segments;
    let params: Record<string, string> | undefined;
    for (let i = 0; i < pat.length; i++) {
      const s = pat[i]!;
      if (s.kind === 'rest') {
        // axum's wildcard needs at least one segment: "/files/{*rest}" does not match "/files".
        if (i >= segments.length) return undefined;
        (params ??= {})[s.name] = segments.slice(i).join('/');
        return params;
      }
      const seg = segments[i];
      if (seg === undefined) return undefined;
      if (s.kind === 'literal') {
        if (s.text !== seg) return undefined;
      } else {
        (params ??= {})[s.name] = seg;
      }
    }
    return segments.length === pat.length ? (params ?? {}) : undefined;
  }
}

/** Compare two patterns for matching order: literal before param before wildcard, segment by segment. */
export function byPriority(a: PathPattern, b: PathPattern): number {
  const n = Math.max(a.rank.length, b.rank.length);
  for (let i = 0; i < n; i++) {
    const d = (b.rank[i] ?? 0) - (a.rank[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** "/a/b/" -> ["a", "b", ""]; "/" -> []. Keeps a trailing empty segment, as axum does. */
export function splitPath(path: string): string[] {
  if (path === '/' || path === '') return [];
  return path.slice(1).split('/');
}

/** Join a nest prefix and a route path: ("/api", "/users") -> "/api/users"; ("/api", "/") -> "/api". */
export function joinPath(prefix: string, path: string): string {
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (path === '/') return p === '' ? '/' : p;
  return p + path;
}
