import { errorText } from '../../clients/http.js';
import { risonList, type SupersetClient } from '../../clients/superset.js';
import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import type { ComponentSummary } from '../definition.js';
import type { ProbeContext } from '../runtime.js';
import { databaseUuid, desiredDatasets, SUPERSET, supersetInstance, supersetUrl } from './registry.js';
import { connectSuperset } from './sync.js';

export interface SupersetSummary {
  url: string;
  databases: { name: string; pyro: boolean }[];
  datasets: { database: string; schema: string; table: string; pyro: boolean }[];
  dashboards: { title: string; url: string }[];
  /** Declared datasets Superset does not have (yet). */
  missing: string[];
}

async function list<T>(c: SupersetClient, resource: string, columns: string[]): Promise<T[]> {
  return (await c.get<{ result: T[] }>(`/api/v1/${resource}/?q=${risonList(columns, { page_size: 100 })}`)).result;
}

/** What Superset holds: databases, datasets and dashboards, and which declared datasets are missing. */
export async function supersetSummary(inv: Inventory, secrets: Record<string, string>): Promise<SupersetSummary | { error: string; url?: string }> {
  const inst = supersetInstance(inv);
  if (!inst) return { error: 'no superset role' };
  try {
    const c = await connectSuperset(inv, secrets);
    const [dbs, sets, boards] = await Promise.all([
      list<{ uuid: string; database_name: string }>(c, 'database', ['uuid', 'database_name']),
      list<{ uuid: string; table_name: string; schema: string | null; database: { database_name: string } }>(c, 'dataset', [
        'uuid',
        'table_name',
        'schema',
        'database.database_name',
      ]),
      list<{ dashboard_title: string; url: string }>(c, 'dashboard', ['dashboard_title', 'url']),
    ]);
    const wanted = new Set(desiredDatasets(inv).map((d) => d.uuid));
    const have = new Set(sets.map((s) => `${s.database.database_name}.${s.schema ?? 'public'}.${s.table_name}`));
    return {
      url: supersetUrl(inst),
      databases: dbs.map((d) => ({ name: d.database_name, pyro: d.uuid === databaseUuid(inv, d.database_name) })),
      datasets: sets.map((s) => ({ database: s.database.database_name, schema: s.schema ?? 'public', table: s.table_name, pyro: wanted.has(s.uuid) })),
      dashboards: boards.map((b) => ({ title: b.dashboard_title, url: `${supersetUrl(inst)}${b.url}` })),
      missing: desiredDatasets(inv)
        .filter((d) => !have.has(`${d.database}.${d.schema}.${d.table}`))
        .map((d) => `${d.database}.${d.schema}.${d.table}`),
    };
  } catch (e) {
    return { error: errorText(e), url: supersetUrl(inst) };
  }
}

/** Superset in `pyro status`: its URL, what it holds, declared datasets missing, the dashboards' URLs. */
export async function supersetStatus(ctx: ProbeContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined> {
  if (!managed.some((i) => i.def.role === SUPERSET)) return undefined;
  const ss = await supersetSummary(ctx.inv, ctx.secrets);
  const lines: string[] = [];
  const problems: string[] = [];
  if ('error' in ss) {
    problems.push(`Superset: ${ss.error.split('\n')[0]}`);
    lines.push(`Superset  ${ss.url ?? ''} ${ss.error.split('\n')[0]}`.replace(/ +/g, ' '));
  } else {
    if (ss.missing.length) problems.push(`Superset: declared datasets not registered: ${ss.missing.join(', ')} (\`pyro superset sync\`)`);
    lines.push(
      `Superset  ${ss.url}/ healthy; databases: ${ss.databases.map((d) => d.name).join(', ') || '(none)'}; datasets: ${ss.datasets.map((d) => `${d.database}.${d.schema}.${d.table}`).join(', ') || '(none)'}${ss.missing.length ? `; not registered: ${ss.missing.join(', ')}` : ''}`,
    );
    for (const d of ss.dashboards) lines.push(`Dashboard ${d.title}: ${d.url}`);
  }
  return { key: 'superset', data: ss, lines, problems, ui: ss.url ? { Superset: `${ss.url}/` } : {} };
}
