import path from 'node:path';
import { execa } from 'execa';
import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import { PyroError } from '../../util/errors.js';
import { controlTree } from '../spark/jobs/spark-home.js';
import { hdfsUser } from '../hdfs/endpoints.js';
import { sqlJdbcUrl } from './endpoints.js';

/** A statement the server refused, or a server that did not answer. */
export class SqlError extends PyroError {
  constructor(inst: ServiceInstance, message: string) {
    super('SQL_FAILED', `Spark SQL server on ${inst.host.name} (${inst.host.address}:${inst.ports.thrift}): ${message}`, {
      hint: `\`pyro status\` shows whether it runs; \`pyro logs spark-sql\` shows its log`,
    });
  }
}

/**
 * Runs statements on the Spark SQL server through Spark's own JDBC client (beeline, from the control machine's
 * Spark) and returns the rows of their results, tab-separated columns split. Stops at the first failing statement.
 * Sessions start in `default` (the lake database exists only once registration made it): name tables in full.
 */
export async function runSql(
  inv: Inventory,
  inst: ServiceInstance,
  statements: string[],
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<string[][]> {
  const spark = await controlTree(inv, 'spark');
  const r = await execa(
    path.join(spark, 'bin', 'beeline'),
    ['-u', sqlJdbcUrl(inst, 'default'), '-n', hdfsUser(inv), '--silent=true', '--showHeader=false', '--outputformat=tsv2', '-e', statements.join(';\n')],
    { env: { SPARK_HOME: spark }, reject: false, stdin: 'ignore', timeout: opts.timeoutMs ?? 120_000, cancelSignal: opts.signal },
  );
  if (r.exitCode !== 0 || r.timedOut) {
    const said = `${r.stderr}\n${r.stdout}`
      .split('\n')
      .filter((l) => /^Error:|Exception|refused|Could not open/i.test(l))
      .slice(0, 3)
      .join('\n');
    throw new SqlError(inst, r.timedOut ? `no answer within ${(opts.timeoutMs ?? 120_000) / 1000} s` : said || `beeline exited ${r.exitCode}`);
  }
  return parseRows(r.stdout);
}

/**
 * Beeline's tsv2 output as rows: it echoes its prompt (`0: jdbc:hive2://...> `, or when not silent the continuation
 * prompt `. . . > `) before a result's first row.
 */
export function parseRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .map((l) => l.replace(/^(?:(?:\d+: jdbc:hive2:\S*|(?:\. )+)> ?)+/, ''))
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}
