import { openJobContext } from '../../phases/cluster-context.js';
import { listTable, pruneTable } from '../../services/lake/partitions.js';
import { lakeTables } from '../../services/lake/tables.js';
import { hdfs } from '../../services/spark/jobs/submit.js';
import { renderTable } from '../../ui/table.js';
import { InputError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

const size = (n: number) =>
  n < 1024
    ? `${n} B`
    : n < 1048576
      ? `${(n / 1024).toFixed(1)} KiB`
      : n < 1073741824
        ? `${(n / 1048576).toFixed(1)} MiB`
        : `${(n / 1073741824).toFixed(2)} GiB`;
const hourOf = (p: { day: string; hour?: number }) => (p.hour === undefined ? p.day : `${p.day} ${String(p.hour).padStart(2, '0')}h`);

/** `pyro lake`: each table with its partitions, size on HDFS and the rows of its newest partition. */
export async function lakeListCommand(o: { inventory: string; json?: boolean }, ctx: RunContext): Promise<void> {
  const jc = await openJobContext(o.inventory, ctx.out, { quiet: true });
  const tables = lakeTables(jc.inv);
  const fs = hdfs(jc.inv);
  const rows = await Promise.all(tables.map((t) => listTable(fs, t)));
  if (o.json) {
    ctx.out.data({ tables: rows });
    return;
  }
  if (!rows.length) {
    ctx.out.info('no lake tables declared (add them under lake: in the inventory)');
    return;
  }
  ctx.out.info(
    renderTable(
      ['TABLE', 'SOURCE', 'PARTITIONS', 'SIZE', 'FILES', 'OLDEST', 'NEWEST', 'NEWEST ROWS'],
      rows.map((r) => [
        r.name,
        r.topic ? `topic ${r.topic}` : 'your jobs',
        r.exists ? String(r.partitions) : 'no dir yet',
        size(r.bytes),
        String(r.files),
        r.oldest ? hourOf(r.oldest) : '-',
        r.newest ? hourOf(r.newest) : '-',
        r.newest ? String(r.newest.rows) : '-',
      ]),
      ctx.out.isTTY,
    ),
  );
}

/** `pyro lake prune`: drops partitions past each table's retention (what `up` does too). */
export async function lakePruneCommand(o: { inventory: string; json?: boolean; dryRun?: boolean; table?: string[] }, ctx: RunContext): Promise<void> {
  const jc = await openJobContext(o.inventory, ctx.out, { quiet: true });
  const all = lakeTables(jc.inv);
  const unknown = (o.table ?? []).filter((n) => !all.some((t) => t.name === n));
  if (unknown.length) {
    throw new InputError('UNKNOWN_TABLE', `no lake table ${unknown.join(', ')} in ${jc.inv.file}`, {
      hint: all.length ? `tables: ${all.map((t) => t.name).join(', ')}` : 'declare tables under lake:',
    });
  }
  const tables = o.table?.length ? all.filter((t) => o.table!.includes(t.name)) : all;
  const fs = hdfs(jc.inv);
  const now = Date.now();
  const done = [];
  for (const t of tables) done.push(await pruneTable(fs, t, now, Boolean(o.dryRun)));
  if (o.json) {
    ctx.out.data({ dryRun: Boolean(o.dryRun), tables: done });
    return;
  }
  for (const d of done) {
    const t = tables.find((x) => x.name === d.table)!;
    ctx.out.info(
      d.partitions
        ? `${d.table}: ${o.dryRun ? 'would drop' : 'dropped'} ${d.partitions} partition${d.partitions === 1 ? '' : 's'} older than ${Math.round(t.retentionMs / 3_600_000)} h (${d.paths.join(', ')})`
        : `${d.table}: nothing older than its retention`,
    );
  }
}
