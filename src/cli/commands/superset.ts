import { openJobContext } from '../../phases/cluster-context.js';
import { openSession } from '../../phases/open.js';
import { hostOf } from '../../phases/session.js';
import { MODULES } from '../../services/catalog.js';
import { instancePaths } from '../../services/runtime.js';
import { SUPERSET_ADMIN_SECRET, supersetInstance } from '../../services/superset/registry.js';
import { syncSuperset } from '../../services/superset/sync.js';
import { ClusterState } from '../../state/cluster-state.js';
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
  if (r.removed.some((d) => !d.deleted) && !o.prune)
    ctx.out.warn(`${r.removed.length} dataset(s) pyro registered are no longer in the inventory; --prune deletes them`);
}

/**
 * `pyro credentials SERVICE`: the generated logins, read from the cluster state (0600). Nothing else prints
 * them. `--reset` (superset) sets Superset's admin password back to the one in the state.
 */
export async function credentialsCommand(service: string, o: { inventory: string; json?: boolean; reset?: boolean }, ctx: RunContext): Promise<void> {
  const keeping = MODULES.filter((m) => m.credentials).map((m) => m.name);
  const mod = MODULES.find((m) => m.name === service && m.credentials);
  if (!mod) throw new InputError('UNKNOWN_SERVICE', `pyro keeps no credentials for ${service}`, { hint: `one of: ${keeping.join(', ')}` });
  const jc = await openJobContext(o.inventory, ctx.out, { quiet: true });
  const row = await mod.credentials!({ inv: jc.inv, ids: jc.ids, secrets: jc.secrets }, new ClusterState(jc.inv.clusterName, jc.stateDir));
  if (!row)
    throw new InputError('NO_SUCH_ROLE', `${jc.inv.file} has no host with the role ${mod.roles.map((r) => r.role).join(' or ')}`, {
      hint: `add ${mod.roles[0]!.role} to one host's roles`,
    });
  if (o.reset) {
    if (service !== 'superset')
      throw new InputError('NO_RESET', `--reset is for superset; \`pyro up\` sets ${service}'s password whenever it starts the server`);
    await resetAdmin(o.inventory, supersetInstance(jc.inv)!.host.name, ctx);
  }
  if (o.json) ctx.out.data({ service, ...row });
  else
    ctx.out.info(
      renderTable(
        ['', ''],
        Object.entries(row).map(([k, v]) => [k, String(v)]),
        false,
      ),
    );
}

/** Runs the conf dir's init.sh reset-admin on the Superset host, the state's password on its stdin (never in argv). */
async function resetAdmin(inventory: string, hostName: string, ctx: RunContext): Promise<void> {
  const s = await openSession({
    inventory,
    command: 'pyro credentials superset --reset',
    out: ctx.out,
    signal: ctx.signal,
    quiet: true,
    lock: true,
    hostFilter: (h) => h.name === hostName,
  });
  try {
    const inst = supersetInstance(s.inv)!;
    const r = await hostOf(s, hostName).exec(`sh ${instancePaths(inst).conf}/init.sh reset-admin 2>&1`, {
      stdin: `${s.secrets[SUPERSET_ADMIN_SECRET]}\n`,
      timeoutMs: 180_000,
      signal: ctx.signal,
    });
    if (r.exitCode !== 0) {
      throw new HostError(
        'SUPERSET_RESET_FAILED',
        hostName,
        `resetting Superset's admin password on ${hostName} failed (exit ${r.exitCode}): ${r.stdout.trim().split('\n').slice(-5).join('\n')}`,
        {
          hint: 'run `pyro up` first: it writes admin.secret and init.sh to the Superset host',
        },
      );
    }
    ctx.out.info(`Superset: ${r.stdout.trim().split('\n').pop()}`);
  } finally {
    await s.close();
  }
}
