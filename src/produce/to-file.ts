import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Host } from '../hosts/host.js';
import { PyroError } from '../util/errors.js';
import { appendCommand } from '../services/flume/tailed.js';
import { accessLogLine } from './access-log.js';

export interface AppendOptions {
  /** Lines per second (0: as fast as the host takes them). */
  rate: number;
  seconds?: number;
  count?: number;
  /** Number of the first line (so runs can be told apart and replayed). */
  firstId?: number;
  signal?: AbortSignal;
  onTick?: (written: number, elapsedSec: number) => void;
  /** Called for each chunk handed to the host: lines first..first+count-1, stamped `ms`. */
  onChunk?: (first: number, count: number, ms: number) => void;
}

export interface AppendResult {
  host: string;
  file: string;
  written: number;
  seconds: number;
  linesPerSecond: number;
  bytes: number;
  perPage: Record<string, number>;
  firstId: number;
  lastId: number;
}

/**
 * Appends access-log lines to `file` on `host` at a steady rate, streamed through one command: a web server's log
 * growing, for the Flume agent that tails it. Each line carries its write time.
 */
export async function appendAccessLog(host: Host, file: string, o: AppendOptions): Promise<AppendResult> {
  const stdin = new PassThrough();
  const done = host.exec(appendCommand(file), { stdin, signal: o.signal });
  const perPage: Record<string, number> = {};
  const firstId = o.firstId ?? 1;
  const limitCount = o.count ?? Number.POSITIVE_INFINITY;
  const limitMs = (o.seconds ?? Number.POSITIVE_INFINITY) * 1000;
  const tickMs = 20;
  const t0 = Date.now();
  let written = 0;
  let bytes = 0;
  let lastTick = t0;
  let failed = false;
  void done.then((r) => (failed = r.exitCode !== 0)).catch(() => (failed = true));
  while (written < limitCount && Date.now() - t0 < limitMs && !o.signal?.aborted && !failed) {
    const elapsed = Date.now() - t0;
    const target = o.rate > 0 ? Math.floor(((elapsed + tickMs) / 1000) * o.rate) : written + 1000;
    const due = Math.min(limitCount, target) - written;
    if (due > 0) {
      const now = Date.now();
      let chunk = '';
      for (let k = 0; k < due; k++) {
        const l = accessLogLine(firstId + written + k, now);
        perPage[l.page] = (perPage[l.page] ?? 0) + 1;
        chunk += `${l.line}\n`;
      }
      o.onChunk?.(firstId + written, due, now);
      written += due;
      bytes += Buffer.byteLength(chunk);
      // Backpressure: a slow link slows the writer instead of buffering without end.
      if (!stdin.write(chunk)) await new Promise((r) => stdin.once('drain', r));
    }
    if (o.onTick && Date.now() - lastTick >= 1000) {
      lastTick = Date.now();
      o.onTick(written, (lastTick - t0) / 1000);
    }
    if (o.rate > 0) await new Promise((r) => setTimeout(r, tickMs));
  }
  stdin.end();
  const r = await done;
  if (r.exitCode !== 0) {
    throw new PyroError('APPEND_FAILED', `appending to ${file} on ${host.name} failed (exit ${r.exitCode}): ${r.stderr.trim() || 'no message'}`, {
      hint: `check that the user pyro logs in as may write ${path.posix.dirname(file)} on ${host.name}`,
    });
  }
  const seconds = (Date.now() - t0) / 1000;
  return { host: host.name, file, written, seconds, linesPerSecond: written / seconds, bytes, perPage, firstId, lastId: firstId + written - 1 };
}
