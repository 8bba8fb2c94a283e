import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import YAML from 'yaml';
import { dashboardsOf, importBundles, readTemplate, STAMP_KEY, templateStamp, type DashboardTemplate } from '../../../src/services/superset/bundle.js';
import { InputError } from '../../../src/util/errors.js';

const TEMPLATE = path.resolve('templates/superset/page-views');
const TEMPLATE_DATASET = '6f1f3c2e-8a53-4b7e-9a51-0d7c3c5a1e01';
const REGISTERED_UUID = '11111111-2222-5333-8444-555555555555';
const DB_UUID = '99999999-8888-5777-8666-555555555555';

/** What Superset's dataset export returns: one top dir holding metadata, the database and the dataset. */
function fakeExport(): { zip: Uint8Array; database: string; dataset: string } {
  const top = 'dataset_export_20260101T000000';
  const database = `database_name: serving\nsqlalchemy_uri: postgresql+psycopg2://pyro:XXXXXXXXXX@10.0.0.1:5432/serving\nuuid: ${DB_UUID}\nversion: 1.0.0\n`;
  const dataset = `table_name: page_views\nschema: public\nuuid: ${REGISTERED_UUID}\ndatabase_uuid: ${DB_UUID}\nversion: 1.0.0\n`;
  const zip = zipSync({
    [`${top}/metadata.yaml`]: strToU8("version: 1.0.0\ntype: SqlaTable\ntimestamp: '2026-01-01T00:00:00+00:00'\n"),
    [`${top}/databases/serving.yaml`]: strToU8(database),
    [`${top}/datasets/serving/page_views.yaml`]: strToU8(dataset),
  });
  return { zip, database, dataset };
}

function entries(zip: Uint8Array): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(zip)).map(([k, v]) => [k, strFromU8(v)]));
}

function copyTemplate(): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'pyro-superset-tpl-')), 'page-views');
  cpSync(TEMPLATE, dir, { recursive: true });
  return dir;
}

const registered = new Map([['public.page_views', REGISTERED_UUID]]);

describe('superset bundle: readTemplate', () => {
  it('reads the page-views template: 3 charts, 1 dashboard refreshing every 10 s, its one table', async () => {
    const t = await readTemplate(TEMPLATE);
    assert.equal(t.charts.length, 3);
    assert.deepEqual(
      t.charts.map((c) => path.basename(c.file)),
      ['total_views.yaml', 'views_by_page.yaml', 'views_per_minute.yaml'],
    );
    assert.equal(t.dashboards.length, 1);
    assert.equal((t.dashboards[0]!.config.metadata as { refresh_frequency: number }).refresh_frequency, 10);
    assert.deepEqual([...t.tables], [[TEMPLATE_DATASET, { schema: 'public', table: 'page_views' }]]);
    assert.deepEqual(dashboardsOf(t), [{ title: 'Page views (live)', slug: 'page-views', uuid: '9d3a7c10-2b4e-4f6a-8c1d-5e6f7a8b9c01' }]);
  });

  it('refuses a dir without dashboards, and a dataset file without table_name', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'pyro-superset-empty-'));
    await assert.rejects(
      readTemplate(empty),
      (e: unknown) => e instanceof InputError && e.code === 'BAD_DASHBOARD_TEMPLATE' && /no dashboards/.test(e.message),
    );
    const dir = copyTemplate();
    writeFileSync(path.join(dir, 'datasets', 'page_views.yaml'), `uuid: ${TEMPLATE_DATASET}\nschema: public\n`);
    await assert.rejects(
      readTemplate(dir),
      (e: unknown) => e instanceof InputError && e.code === 'BAD_DASHBOARD_TEMPLATE' && /uuid and table_name/.test(e.message),
    );
  });
});

describe('superset bundle: importBundles', () => {
  let t: DashboardTemplate;
  before(async () => (t = await readTemplate(TEMPLATE)));

  it("charts zip: Slice metadata, the export's database and dataset as they were, charts on the registered dataset, no dashboards", () => {
    const exp = fakeExport();
    const charts = entries(importBundles(t, exp.zip, registered, 'stamp-1').charts);
    assert.deepEqual(Object.keys(charts).sort(), [
      'pyro_bundle/charts/total_views.yaml',
      'pyro_bundle/charts/views_by_page.yaml',
      'pyro_bundle/charts/views_per_minute.yaml',
      'pyro_bundle/databases/serving.yaml',
      'pyro_bundle/datasets/serving/page_views.yaml',
      'pyro_bundle/metadata.yaml',
    ]);
    assert.ok(!Object.keys(charts).some((k) => k.includes('dashboards/')));
    assert.equal(YAML.parse(charts['pyro_bundle/metadata.yaml']!).type, 'Slice');
    assert.equal(charts['pyro_bundle/databases/serving.yaml'], exp.database);
    assert.equal(charts['pyro_bundle/datasets/serving/page_views.yaml'], exp.dataset);
    for (const c of t.charts) {
      const out = YAML.parse(charts[`pyro_bundle/charts/${path.basename(c.file)}`]!) as Record<string, unknown>;
      assert.equal(out.dataset_uuid, REGISTERED_UUID, c.file);
      assert.deepEqual({ ...out, dataset_uuid: TEMPLATE_DATASET }, c.config, 'nothing else changes');
    }
  });

  it('dashboards zip: Dashboard metadata, everything the charts zip has, and the stamp in the dashboard metadata', () => {
    const zips = importBundles(t, fakeExport().zip, registered, 'stamp-1');
    const dash = entries(zips.dashboards);
    assert.equal(YAML.parse(dash['pyro_bundle/metadata.yaml']!).type, 'Dashboard');
    const chartNames = Object.keys(entries(zips.charts)).filter((k) => k !== 'pyro_bundle/metadata.yaml');
    for (const k of chartNames) assert.ok(k in dash, k);
    const d = YAML.parse(dash['pyro_bundle/dashboards/page_views.yaml']!) as { metadata: Record<string, unknown>; uuid: string };
    assert.equal(d.metadata[STAMP_KEY], 'stamp-1');
    assert.equal(d.metadata.refresh_frequency, 10, "the template's own metadata is kept");
    assert.equal(d.uuid, '9d3a7c10-2b4e-4f6a-8c1d-5e6f7a8b9c01');
    const unstamped = entries(importBundles(t, fakeExport().zip, registered).dashboards);
    assert.ok(!(STAMP_KEY in (YAML.parse(unstamped['pyro_bundle/dashboards/page_views.yaml']!).metadata as object)));
  });

  it("metadata.yaml timestamps are quoted: YAML 1.1 (Superset's reader) sees a string, not a datetime", () => {
    const zips = importBundles(t, fakeExport().zip, registered, 'stamp-1');
    for (const zip of [zips.charts, zips.dashboards]) {
      const meta = entries(zip)['pyro_bundle/metadata.yaml']!;
      assert.match(meta, /^timestamp: '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00'$/m);
      const parsed = YAML.parse(meta, { version: '1.1' }) as Record<string, unknown>;
      assert.equal(typeof parsed.timestamp, 'string');
      assert.equal(parsed.version, '1.0.0');
    }
  });

  it('a chart over a table the inventory does not declare: UNKNOWN_DATASET naming the table', () => {
    assert.throws(
      () => importBundles(t, fakeExport().zip, new Map([['public.clicks', REGISTERED_UUID]])),
      (e: unknown) => e instanceof InputError && e.code === 'UNKNOWN_DATASET' && /public\.page_views/.test(e.message) && /table: page_views/.test(e.hint ?? ''),
    );
  });

  it("a chart whose dataset_uuid is not among the template's datasets: BAD_DASHBOARD_TEMPLATE", async () => {
    const dir = copyTemplate();
    const file = path.join(dir, 'charts', 'total_views.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(`dataset_uuid: ${TEMPLATE_DATASET}`, 'dataset_uuid: 00000000-0000-0000-0000-000000000000'));
    const bad = await readTemplate(dir);
    assert.throws(
      () => importBundles(bad, fakeExport().zip, registered),
      (e: unknown) => e instanceof InputError && e.code === 'BAD_DASHBOARD_TEMPLATE' && /total_views\.yaml/.test(e.message),
    );
  });

  // Pending: importBundles re-serialises the template's YAML with the `yaml` package's YAML 1.2 rules, which leave
  // strings such as off / yes / 2024-01-01 / 12:30 unquoted; Superset reads the bundle with PyYAML (YAML 1.1),
  // where they become a boolean, a date and a (sexagesimal) integer. Unskip once the bundle is written 1.1-safe.
  it('string values in a chart survive a YAML 1.1 reader (off, yes, dates, 12:30)', async () => {
    const dir = copyTemplate();
    const file = path.join(dir, 'charts', 'total_views.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}extra:\n  a: 'off'\n  b: 'yes'\n  c: '2024-01-01'\n  d: '12:30'\n`);
    const out = entries(importBundles(await readTemplate(dir), fakeExport().zip, registered).charts)['pyro_bundle/charts/total_views.yaml']!;
    assert.deepEqual((YAML.parse(out, { version: '1.1' }) as { extra: unknown }).extra, { a: 'off', b: 'yes', c: '2024-01-01', d: '12:30' });
  });
});

describe('superset bundle: templateStamp', () => {
  it('16 hex chars, the same for the same template wherever it lives', async () => {
    const s = templateStamp(await readTemplate(TEMPLATE), registered);
    assert.match(s, /^[0-9a-f]{16}$/);
    assert.equal(templateStamp(await readTemplate(TEMPLATE), new Map(registered)), s);
    assert.equal(templateStamp(await readTemplate(copyTemplate()), registered), s);
  });

  it('changes when a registered dataset uuid changes', async () => {
    const t = await readTemplate(TEMPLATE);
    assert.notEqual(templateStamp(t, new Map([['public.page_views', DB_UUID]])), templateStamp(t, registered));
  });

  it('changes when a chart file changes, or a chart is added', async () => {
    const before = templateStamp(await readTemplate(TEMPLATE), registered);
    const dir = copyTemplate();
    const file = path.join(dir, 'charts', 'views_by_page.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('row_limit: 100', 'row_limit: 50'));
    const edited = templateStamp(await readTemplate(dir), registered);
    assert.notEqual(edited, before);
    mkdirSync(path.join(dir, 'charts', 'more'), { recursive: true });
    cpSync(file, path.join(dir, 'charts', 'more', 'copy.yaml'));
    assert.notEqual(templateStamp(await readTemplate(dir), registered), edited);
  });
});
