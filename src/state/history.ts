import { randomBytes } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pidAlive } from './lock.js';
import { ensureStateDir } from './paths.js';

/** One line of a cluster's append-only operation history. */
export interface HistoryEntry {
  time: string;
  user: string;
  machine: string;
  command: string;
  /** `running`: the start of a run (its end follows with the same `run`); `interrupted`: a start never ended. */
  result: 'ok' | 'failed' | 'cancelled' | 'dry-run' | 'running' | 'interrupted';
  seconds: number;
  /** What changed (one line per action), or the error. */
  changes?: string[];
  error?: string;
  /** The run an entry belongs to: its start and its end share it. */
  run?: string;
  /** The pyro process of a run (on `machine`). */
  pid?: number;
}

export function historyFile(dir: string): string {
  return path.join(dir, 'history.jsonl');
}

/** Appends one entry (a single write of one line, so concurrent appends never interleave). */
export async function appendHistory(dir: string, entry: Omit<HistoryEntry, 'user' | 'machine' | 'time'> & { time?: string }): Promise<void> {
  await ensureStateDir(dir);
  const full: HistoryEntry = { time: entry.time ?? new Date().toISOString(), user: os.userInfo().username, machine: os.hostname(), ...entry } as HistoryEntry;
  await appendFile(historyFile(dir), `${JSON.stringify(full)}\n`, { mode: 0o600 });
}

/**
 * Records that a run which changes the cluster has started (under the cluster lock), before it touches anything:
 * a run killed midway (SIGKILL, a power cut) is still in the history, as interrupted. Returns the run's id, for
 * its end.
 */
export async function startHistory(dir: string, command: string): Promise<string> {
  const run = randomBytes(6).toString('hex');
  await appendHistory(dir, { run, pid: process.pid, command, result: 'running', seconds: 0 });
  return run;
}

/**
 * One entry per run, oldest first: a run's end replaces its start (keeping when it started); a start without an
 * end is running while its process lives on this machine, and interrupted otherwise.
 */
export function runsOf(entries: readonly HistoryEntry[], alive: (pid: number) => boolean = pidAlive, machine = os.hostname()): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  const byRun = new Map<string, number>();
  for (const e of entries) {
    const k = e.run === undefined ? undefined : byRun.get(e.run);
    if (k === undefined) {
      if (e.run !== undefined) byRun.set(e.run, out.length);
      out.push({ ...e });
    } else out[k] = { ...e, time: out[k]!.time };
  }
  return out.map((e) => (e.result === 'running' && !(e.machine === machine && e.pid !== undefined && alive(e.pid)) ? { ...e, result: 'interrupted' } : e));
}

export async function readHistory(dir: string): Promise<HistoryEntry[]> {
  try {
    const text = await readFile(historyFile(dir), 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as HistoryEntry);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
