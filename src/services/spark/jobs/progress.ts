import type { Inventory } from '../../../inventory/types.js';
import { jobDirs } from './paths.js';
import { hdfs } from './submit.js';
import type { YarnApp } from './yarn-apps.js';

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

/** A job as `pyro jobs` and `pyro status` show it: YARN's view of its application plus the query's progress. */
export interface JobStatus {
  name: string;
  state: string;
  appId?: string;
  uptimeSec?: number;
  inputRowsPerSecond?: number;
  batchDurationMs?: number;
  lastBatch?: number;
  trackingUrl?: string;
}

/** Statuses of the named jobs from one list of YARN applications (newest first); progress only for running ones. */
export async function jobStatuses(inv: Inventory, names: string[], apps: YarnApp[]): Promise<JobStatus[]> {
  return Promise.all(
    names.map(async (name) => {
      const app = apps.find((a) => a.name === name);
      const p = app?.state === 'RUNNING' ? await jobProgress(inv, name) : undefined;
      return {
        name, state: app?.state ?? 'NOT RUNNING', appId: app?.id, uptimeSec: app ? Math.round(app.elapsedTime / 1000) : undefined,
        inputRowsPerSecond: p?.inputRowsPerSecond, batchDurationMs: p?.batchDurationMs, lastBatch: p?.batchId, trackingUrl: app?.trackingUrl,
      };
    }),
  );
}
