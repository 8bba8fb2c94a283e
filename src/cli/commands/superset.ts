import { openJobContext } from '../../jobs/context.js';
import { openSession } from '../../phases/open.js';
import { hostOf } from '../../phases/session.js';
import { instancePaths } from '../../services/runtime.js';
import { PG_SECRET, PG_USER, servingDatabase } from '../../services/postgresql-runtime.js';
import { adminUser, postgresInstance, SUPERSET_ADMIN_SECRET, supersetInstance, supersetUrl } from '../../superset/registry.js';
import { syncSuperset } from '../../superset/sync.js';
import { renderTable } from '../../ui/table.js';
import { HostError, InputError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

/** `pyro superset sync`: the serving database, datasets and dashboards, as the inventory declares them. */
export async function supersetSyncCommand(o: { inventory: string; prune?: boolean; dryRun?: boolean; json?: boolean }, ctx: RunContext): Promise<void> {
  const jc = await openJobContext(o.inventory, ctx.out, { quiet: o.json });
  const r = await syncSuperset(jc.inv, jc.secrets, { prune: o.prune, dryRun: o.dryRun, log: o.json ? undefined : (l) => ctx.out.info(`[superset] ${l}`) });
  if (o.json) {
    ctx.out.data({ ok: true, dryRun: Boolean(o.dryRun), ...r });
    return;
  }
  for (const d of r.dashboards) ctx.out.info(`${d.title}: ${d.url}`);
  if (r.removed.some((d) => !d.deleted) && !o.prune) ctx.out.warn(`${r.removed.length} dataset(s) pyro registered are no longer in the inventory; --prune deletes them`);
}

const SERVICES = ['superset', 'postgresql'] as const;

/**
 * `pyro credentials SERVICE`: the generated logins, read from the cluster state (0600). Nothing else prints
 * them. `--reset` (superset) sets Superset's admin password back to the one in the state.
 */
export async function credentialsCommand(service: string, o: { inventory: string; json?: boolean; reset?: boolean }, ctx: RunContext): Promise<void> {
  if (!(SERVICES as readonly string[]).includes(service)) {
    throw new InputError('UNKNOWN_SERVICE', `pyro keeps no credentials for ${service}`, { hint: `one of: ${SERVICES.join(', ')}` });
  }
  const jc = await openJobContext(o.inventory, ctx.out, { quiet: true });
  const inv = jc.inv;
  let row: Record<string, string | number>;
  if (service === 'superset') {
    const inst = supersetInstance(inv);
    if (!inst) throw new InputError('NO_SUCH_ROLE', `${inv.file} has no host with the role superset`, { hint: 'add superset to one host\'s roles' });
    if (o.reset) await resetAdmin(o.inventory, inst.host.name, ctx);
    row = { url: `${supersetUrl(inst)}/`, user: adminUser(inv), password: jc.secrets[SUPERSET_ADMIN_SECRET]! };
  } else {
    const pg = postgresInstance(inv);
    if (!pg) throw new InputError('NO_SUCH_ROLE', `${inv.file} has no host with the role postgresql`, { hint: 'add postgresql to one host\'s roles' });
    if (o.reset) throw new InputError('NO_RESET', '--reset is for superset; `pyro up` sets PostgreSQL\'s password whenever it starts the server');
    row = { host: pg.host.address, port: pg.ports.pg!, database: servingDatabase(inv), user: PG_USER, password: jc.secrets[PG_SECRET]! };
  }
  if (o.json) ctx.out.data({ service, ...row });
  else ctx.out.info(renderTable(['', ''], Object.entries(row).map(([k, v]) => [k, String(v)]), false));
}

/** Runs the conf dir's init.sh reset-admin on the Superset host, the state's password on its stdin (never in argv). */
async function resetAdmin(inventory: string, hostName: string, ctx: RunContext): Promise<void> {
  const s = await openSession({ inventory, command: 'pyro credentials superset --reset', out: ctx.out, signal: ctx.signal, quiet: true, lock: true, hostFilter: (h) => h.name === hostName });
  try {
    const inst = supersetInstance(s.inv)!;
    const r = await hostOf(s, hostName).exec(`sh ${instancePaths(inst).conf}/init.sh reset-admin 2>&1`, {
      stdin: `${s.secrets[SUPERSET_ADMIN_SECRET]}\n`, timeoutMs: 180_000, signal: ctx.signal,
    });
    if (r.exitCode !== 0) {
      throw new HostError('SUPERSET_RESET_FAILED', hostName, `resetting Superset's admin password on ${hostName} failed (exit ${r.exitCode}): ${r.stdout.trim().split('\n').slice(-5).join('\n')}`, {
        hint: 'run `pyro up` first: it writes admin.secret and init.sh to the Superset host',
      });
    }
    ctx.out.info(`Superset: ${r.stdout.trim().split('\n').pop()}`);
  } finally {
    await s.close();
  }
}
