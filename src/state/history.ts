import { appendFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureStateDir } from './paths.js';

/** One line of a cluster's append-only operation history. */
export interface HistoryEntry {
  time: string;
  user: string;
  machine: string;
  command: string;
  result: 'ok' | 'failed' | 'cancelled' | 'dry-run';
  seconds: number;
  /** What changed (one line per action), or the error. */
  changes?: string[];
  error?: string;
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
