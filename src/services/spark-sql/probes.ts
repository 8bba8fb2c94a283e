import type { ServiceInstance } from '../../inventory/types.js';
import type { ProbeContext, ProbeResult } from '../runtime.js';
import { runSql } from './beeline.js';

/** The server answers a query over JDBC (the gate the issue asks for: a SQL query answers). */
export async function sparkSqlReady(inst: ServiceInstance, ctx: ProbeContext): Promise<ProbeResult> {
  try {
    const rows = await runSql(ctx.inv, inst, ['SELECT version()'], { timeoutMs: 60_000 });
    const version = rows
      .flat()
      .find((c) => /^\d+\.\d+\.\d+/.test(c))
      ?.split(' ')[0];
    return { ok: true, detail: `answers SQL (Spark ${version ?? '?'})` };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}
