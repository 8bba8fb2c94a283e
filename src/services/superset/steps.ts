import type { ServiceStep, StepContext } from '../definition.js';
import { POSTGRESQL } from '../postgresql/endpoints.js';
import { adminUser, SUPERSET, supersetInstance, supersetUrl } from './registry.js';
import { databasesOf } from './sections.js';
import { syncSuperset, type SyncReport } from './sync.js';

const changed = (a: string) => a !== 'unchanged' && a !== "not pyro's" && a !== 'table missing';

/** Registers the databases, datasets and dashboards in Superset (or says what it would). */
async function register(ctx: StepContext): Promise<SyncReport> {
  const r = await syncSuperset(ctx.inv, ctx.secrets, { dryRun: ctx.dryRun, log: (l) => ctx.log(`[superset] ${l}`) });
  for (const d of r.databases) if (changed(d.action)) ctx.change(`superset: ${d.action} database ${d.name}`);
  for (const d of r.datasets) if (changed(d.action)) ctx.change(`superset: ${d.action} dataset ${d.database}.${d.schema}.${d.table}`);
  for (const d of r.dashboards) if (d.action !== 'unchanged') ctx.change(`superset: ${d.action} dashboard ${d.title}`);
  for (const d of r.removed)
    ctx.warn(`superset: dataset ${d.database}.${d.schema}.${d.table} is no longer in the inventory; \`pyro superset sync --prune\` deletes it`);
  return r;
}

/** `up` registers what Superset should show once it is healthy: it needs a database (the serving store or declared). */
export const registrationsStep: ServiceStep = {
  name: 'superset',
  shouldRun: (ctx) => {
    const has = (role: string) => ctx.inv.instances.some((i) => i.def.role === role);
    return has(SUPERSET) && (has(POSTGRESQL) || Boolean(databasesOf(ctx.inv)?.length));
  },
  run: register,
  notReachable: (e) => `Superset registrations not checked: ${e.split('\n')[0]}; they are made once it is up`,
  closing(ctx, result) {
    const inst = supersetInstance(ctx.inv);
    if (!inst) return undefined;
    const r = result as SyncReport | undefined;
    const where = r?.dashboards.length ? r.dashboards.map((d) => `${d.title}: ${d.url}`).join('\n') : `Superset: ${supersetUrl(inst)}/`;
    return `${where}\nlog in as ${adminUser(ctx.inv)}; \`pyro credentials superset -i ${ctx.inv.file}\` shows the password`;
  },
};
