import type { Inventory } from '../inventory/types.js';
import { jobDirs } from './paths.js';
import { hdfs } from './submit.js';

/** The last progress report a job wrote (see jobs/pyro_job.py), with the figures `pyro jobs` shows. */
export interface JobProgress {
  state: string;
  inputRowsPerSecond?: number;
  processedRowsPerSecond?: number;
  batchId?: number;
  batchDurationMs?: number;
  timestamp?: string;
}

export async function jobProgress(inv: Inventory, name: string): Promise<JobProgress | undefined> {
  const raw = await hdfs(inv).get(`${jobDirs(name).dir}/progress.json`).catch(() => undefined);
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw.toString('utf8')) as { state: string; inputRowsPerSecond?: number; processedRowsPerSecond?: number; batchId?: number; durationMs?: { triggerExecution?: number }; timestamp?: string };
    return { state: p.state, inputRowsPerSecond: p.inputRowsPerSecond, processedRowsPerSecond: p.processedRowsPerSecond, batchId: p.batchId, batchDurationMs: p.durationMs?.triggerExecution, timestamp: p.timestamp };
  } catch {
    return undefined;
  }
}
