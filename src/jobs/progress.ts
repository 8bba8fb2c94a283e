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
  /** Spark's breakdown of the batch (addBatch, walCommit, queryPlanning, ...), in ms. */
  durations?: Record<string, number>;
  timestamp?: string;
}

export async function jobProgress(inv: Inventory, name: string): Promise<JobProgress | undefined> {
  const raw = await hdfs(inv).get(`${jobDirs(name).dir}/progress.json`).catch(() => undefined);
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw.toString('utf8')) as { state: string; inputRowsPerSecond?: number; processedRowsPerSecond?: number; batchId?: number; durationMs?: { triggerExecution?: number }; timestamp?: string };
    return { state: p.state, inputRowsPerSecond: p.inputRowsPerSecond, processedRowsPerSecond: p.processedRowsPerSecond, batchId: p.batchId, batchDurationMs: p.durationMs?.triggerExecution, durations: p.durationMs as Record<string, number> | undefined, timestamp: p.timestamp };
  } catch {
    return undefined;
  }
}
