import pLimit from 'p-limit';
import { AggregateFailure, PyroError, asPyroError } from '../util/errors.js';
import type { Host } from './host.js';

/** Outcome of running one host: its value, or the error it failed with. */
export type HostResult<T, H = Host> = { host: H; ok: true; value: T } | { host: H; ok: false; error: PyroError };

export interface RunOnHostsOptions {
  /** Hosts in flight at once (default 16). */
  concurrency?: number;
  /** Hosts not started when this fires fail with EXEC_ABORTED instead of running. */
  signal?: AbortSignal;
}

/**
 * Runs `fn` for every host, at most `concurrency` at a time, never stopping at a failure. Results come back in
 * the order of `hosts`, each either a value or the error as a PyroError (tagged with the host name).
 */
export async function runOnHosts<T, H extends { readonly name: string } = Host>(
  hosts: readonly H[],
  fn: (host: H) => Promise<T>,
  opts: RunOnHostsOptions = {},
): Promise<HostResult<T, H>[]> {
  const limit = pLimit(Math.max(1, opts.concurrency ?? 16));
  return Promise.all(
    hosts.map((host) =>
      limit(async (): Promise<HostResult<T, H>> => {
        try {
          if (opts.signal?.aborted) {
            throw new PyroError('EXEC_ABORTED', `cancelled before ${host.name} started`, { host: host.name, cause: opts.signal.reason });
          }
          return { host, ok: true, value: await fn(host) };
        } catch (err) {
          return { host, ok: false, error: asPyroError(err, host.name) };
        }
      }),
    ),
  );
}

/** Throws one AggregateFailure listing every failed host ("failed on 2 hosts: - h1: …"); returns the values otherwise. */
export function valuesOrThrow<T, H extends { readonly name: string }>(results: readonly HostResult<T, H>[], what: string): T[] {
  const failed = results.filter((r): r is Extract<HostResult<T, H>, { ok: false }> => !r.ok);
  if (failed.length === 0) return results.map((r) => (r as Extract<HostResult<T, H>, { ok: true }>).value);
  const lines = failed.map((r) => `  - ${r.host.name}: ${r.error.message}`);
  throw new AggregateFailure(
    `${what} failed on ${failed.length} host${failed.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
    failed.map((r) => r.error),
  );
}
