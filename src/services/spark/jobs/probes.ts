import pg from 'pg';
import type { Inventory } from '../../../inventory/types.js';
import { postgresInstance } from '../../postgresql/endpoints.js';
import { servingConnection } from '../../postgresql/probes.js';
import type { ProbeContext } from '../../runtime.js';
import { streamingJobsOf } from '../sections.js';

/** The serving table where jobs record the whole-flow check's tagged records (jobs/pyro_job.py: record_probes, or split_probes). */
export const PROBES_TABLE = 'pyro_probes';

/** Declared jobs that read a topic. */
export function jobsReading(inv: Inventory, topic: string): string[] {
  return streamingJobsOf(inv)
    .filter((j) => (j.topics ?? []).includes(topic))
    .map((j) => j.name);
}

export interface ProbeSeen {
  job: string;
  /** When the job wrote it (the serving database's clock, epoch ms). */
  seenAt: number;
}

/**
 * The probes among `ids` a job has recorded in the serving table. A missing table reads as none seen, with why:
 * no job has recorded a probe yet (or none calls record_probes or split_probes).
 */
export async function probesSeen(ctx: ProbeContext, ids: readonly string[]): Promise<{ seen: Map<string, ProbeSeen>; problem?: string }> {
  const inst = postgresInstance(ctx.inv);
  if (!inst) return { seen: new Map(), problem: 'no host runs postgresql (the serving store)' };
  const client = new pg.Client(servingConnection(inst, ctx));
  await client.connect();
  try {
    const r = await client.query<{ probe: string; job: string; ms: string }>(
      `SELECT probe, job, (extract(epoch from seen_at) * 1000)::bigint::text AS ms FROM ${PROBES_TABLE} WHERE probe = ANY($1)`,
      [ids],
    );
    return { seen: new Map(r.rows.map((x) => [x.probe, { job: x.job, seenAt: Number(x.ms) }])) };
  } catch (e) {
    if ((e as { code?: string }).code === '42P01') return { seen: new Map(), problem: `the table ${PROBES_TABLE} does not exist yet` };
    throw e;
  } finally {
    await client.end().catch(() => undefined);
  }
}
