import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import YAML from 'yaml';
import { InputError } from '../../util/errors.js';

// A dashboard template is a Superset export bundle unpacked into a dir. Its datasets/ files only say which table
// each chart reads: at import, pyro swaps in the database and datasets it registered (as Superset itself exports
// them), so a bundle exported from one cluster imports into any other that declares the same tables.

type Yaml = Record<string, unknown>;

/** Superset reads bundles with PyYAML (YAML 1.1): written as 1.1, strings such as `off` or `12:30` stay strings. */
const yaml11 = (doc: unknown) => YAML.stringify(doc, { version: '1.1' });

export interface DashboardTemplate {
  dir: string;
  charts: { file: string; config: Yaml }[];
  dashboards: { file: string; config: Yaml }[];
  /** The template's own dataset uuids, mapped to the table they name. */
  tables: Map<string, { schema: string; table: string }>;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFiles(p)));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

async function parse(file: string): Promise<Yaml> {
  try {
    const doc = YAML.parse(await readFile(file, 'utf8')) as unknown;
    if (!doc || typeof doc !== 'object') throw new Error('not a YAML mapping');
    return doc as Yaml;
  } catch (e) {
    throw new InputError('BAD_DASHBOARD_TEMPLATE', `${file}: ${(e as Error).message.split('\n')[0]}`, {
      hint: 'a dashboard template holds the YAML files of a Superset export',
    });
  }
}

export async function readTemplate(dir: string): Promise<DashboardTemplate> {
  const t: DashboardTemplate = { dir, charts: [], dashboards: [], tables: new Map() };
  for (const file of await yamlFiles(path.join(dir, 'datasets'))) {
    const c = await parse(file);
    if (typeof c.uuid !== 'string' || typeof c.table_name !== 'string') {
      throw new InputError('BAD_DASHBOARD_TEMPLATE', `${file}: a dataset needs uuid and table_name`, {
        hint: 'keep the datasets/ files of the export as Superset wrote them',
      });
    }
    t.tables.set(c.uuid, { schema: typeof c.schema === 'string' ? c.schema : 'public', table: c.table_name });
  }
  for (const file of await yamlFiles(path.join(dir, 'charts'))) t.charts.push({ file, config: await parse(file) });
  for (const file of await yamlFiles(path.join(dir, 'dashboards'))) t.dashboards.push({ file, config: await parse(file) });
  if (!t.dashboards.length)
    throw new InputError('BAD_DASHBOARD_TEMPLATE', `${dir}: no dashboards/*.yaml`, { hint: 'point the inventory at an unpacked Superset dashboard export' });
  return t;
}

/**
 * The two zips to import: charts first (Superset's dashboard import never overwrites a chart that exists), then
 * the dashboard. `registered` maps `schema.table` to the uuid of the dataset pyro registered; `exportZip` is
 * Superset's export of those datasets (with their database).
 */
export function importBundles(
  t: DashboardTemplate,
  exportZip: Uint8Array,
  registered: Map<string, string>,
  stamp?: string,
): { charts: Uint8Array; dashboards: Uint8Array } {
  const files: Record<string, Uint8Array> = {};
  for (const [name, data] of Object.entries(unzipSync(exportZip))) {
    const rel = name.split('/').slice(1).join('/');
    if (rel.startsWith('databases/') || rel.startsWith('datasets/')) files[rel] = data;
  }
  for (const { file, config } of t.charts) {
    const ref = t.tables.get(String(config.dataset_uuid));
    if (!ref) {
      throw new InputError('BAD_DASHBOARD_TEMPLATE', `${file}: dataset_uuid ${String(config.dataset_uuid)} is not in the template's datasets/`, {
        hint: 'add the dataset file from the export (it names the table the chart reads)',
      });
    }
    const uuid = registered.get(`${ref.schema}.${ref.table}`);
    if (!uuid) {
      throw new InputError('UNKNOWN_DATASET', `${file}: the chart reads ${ref.schema}.${ref.table}, which the inventory does not declare under datasets:`, {
        hint: `add \`datasets: [{ table: ${ref.table} }]\` to the inventory`,
      });
    }
    files[path.relative(t.dir, file)] = strToU8(yaml11({ ...config, dataset_uuid: uuid }));
  }
  for (const { file, config } of t.dashboards) {
    // Superset keeps unknown json_metadata keys: the stamp tells the next sync this import is current.
    const metadata = { ...((config.metadata as Yaml | undefined) ?? {}), ...(stamp ? { [STAMP_KEY]: stamp } : {}) };
    files[path.relative(t.dir, file)] = strToU8(yaml11({ ...config, metadata }));
  }
  const zip = (type: string, keep: (name: string) => boolean) => {
    // Quoted: Superset reads YAML 1.1, where a bare timestamp becomes a datetime its schema rejects.
    const meta = `version: 1.0.0\ntype: ${type}\ntimestamp: '${new Date().toISOString().replace('Z', '+00:00')}'\n`;
    const entries: Record<string, Uint8Array> = { 'pyro_bundle/metadata.yaml': strToU8(meta) };
    for (const [name, data] of Object.entries(files)) if (keep(name)) entries[`pyro_bundle/${name}`] = data;
    return zipSync(entries);
  };
  return { charts: zip('Slice', (n) => !n.startsWith('dashboards/')), dashboards: zip('Dashboard', () => true) };
}

export const STAMP_KEY = 'pyro_template';

/** A hash of what an import would write: the template's files and the dataset uuids they map to. */
export function templateStamp(t: DashboardTemplate, registered: Map<string, string>): string {
  const h = createHash('sha256');
  for (const { file, config } of [...t.charts, ...t.dashboards]) h.update(`${path.relative(t.dir, file)}\0${JSON.stringify(config)}\0`);
  for (const [k, v] of [...t.tables].sort()) h.update(`${k}=${v.schema}.${v.table}\0`);
  for (const [k, v] of [...registered].sort()) h.update(`${k}=${v}\0`);
  return h.digest('hex').slice(0, 16);
}

/** Title and slug of each dashboard in a template (for reports and URLs). */
export function dashboardsOf(t: DashboardTemplate): { title: string; slug?: string; uuid: string }[] {
  return t.dashboards.map(({ config }) => ({
    title: String(config.dashboard_title ?? '(untitled)'),
    slug: typeof config.slug === 'string' ? config.slug : undefined,
    uuid: String(config.uuid),
  }));
}
