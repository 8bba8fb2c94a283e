import path from 'node:path';
import type { Inventory } from '../../inventory/types.js';
import { INSTALL_ROOT } from '../../util/install-root.js';
import { parseDuration } from '../../util/duration.js';
import type { JobSpec } from '../spark/jobs/spec.js';
import { lakeTablesOf, type LakeTable } from './sections.js';

export const LAKE_ROOT = '/lake';
export const ARCHIVE_JOB = path.join(INSTALL_ROOT, 'jobs', 'pyro_archive.py');
const DEFAULT_RETENTION_MS = 30 * 86_400_000;
const DEFAULT_TRIGGER_MS = 30_000;

/** A table as pyro uses it: its HDFS dir, its retention and, for an archived topic, the job that writes it. */
export interface LakeTableSpec {
  name: string;
  dir: string;
  topic?: string;
  retentionMs: number;
  /** The YARN application that archives the topic into it: lake-<name>. */
  job?: string;
}

export function tableSpec(t: LakeTable): LakeTableSpec {
  return {
    name: t.name,
    dir: `${LAKE_ROOT}/${t.name}`,
    topic: t.topic,
    retentionMs: t.retention === undefined ? DEFAULT_RETENTION_MS : parseDuration(t.retention)!,
    job: t.topic ? `lake-${t.name.replace(/_/g, '-')}` : undefined,
  };
}

export function lakeTables(inv: Inventory): LakeTableSpec[] {
  return lakeTablesOf(inv).map(tableSpec);
}

/** The streaming job that archives a table's topic (jobs/pyro_archive.py), submitted like any other job. */
export function archiveJob(inv: Inventory, name: string): JobSpec {
  const t = lakeTablesOf(inv).find((x) => x.name === name && x.topic);
  if (!t?.topic) throw new Error(`no archived lake table ${name}`);
  const spec = tableSpec(t);
  return {
    name: spec.job!,
    kind: 'streaming',
    main: ARCHIVE_JOB,
    args: [t.topic, spec.dir],
    sparkConf: {},
    resources: { driverMemory: '512m', executorMemory: '512m', executors: 1, executorCores: 1 },
    topics: [t.topic],
    triggerMs: t.trigger === undefined ? DEFAULT_TRIGGER_MS : parseDuration(t.trigger)!,
  };
}
