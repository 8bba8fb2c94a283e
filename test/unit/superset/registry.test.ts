import { supersetSettings } from '../../../src/services/superset/settings.js';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  adminUser,
  databaseUuid,
  datasetUuid,
  desiredDashboards,
  desiredDatabase,
  desiredDatabases,
  desiredDatasets,
  pgUri,
} from '../../../src/services/superset/registry.js';
import { tempInventory } from './fixtures.js';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const metadataOf = (inv: Awaited<ReturnType<typeof tempInventory>>) => supersetSettings(inv).metadata;

describe('superset registry: derived uuids', () => {
  it('a dataset uuid is a v5 uuid, the same on every call and every load of the inventory', async () => {
    const a = await tempInventory({ cluster: 'alpha', datasets: [{ table: 'page_views' }] });
    const again = await tempInventory({ cluster: 'alpha', datasets: [{ table: 'page_views' }] });
    const u = datasetUuid(a, 'serving', 'public', 'page_views');
    assert.match(u, UUID_V5);
    assert.equal(datasetUuid(a, 'serving', 'public', 'page_views'), u);
    assert.equal(datasetUuid(again, 'serving', 'public', 'page_views'), u);
  });

  it('dataset uuids differ between clusters, tables, schemas and databases', async () => {
    const a = await tempInventory({ cluster: 'alpha' });
    const b = await tempInventory({ cluster: 'beta' });
    const u = datasetUuid(a, 'serving', 'public', 'page_views');
    const others = [
      datasetUuid(b, 'serving', 'public', 'page_views'),
      datasetUuid(a, 'serving', 'public', 'clicks'),
      datasetUuid(a, 'serving', 'analytics', 'page_views'),
      datasetUuid(a, 'other', 'public', 'page_views'),
    ];
    assert.equal(new Set([u, ...others]).size, 5, [u, ...others].join(' '));
  });

  it('desiredDatasets: schema defaults to public, uuids match datasetUuid on the serving database', async () => {
    const inv = await tempInventory({
      cluster: 'alpha',
      postgresql: { database: 'metrics' },
      datasets: [
        { table: 'page_views', description: 'views' },
        { table: 'clicks', schema: 'web' },
      ],
    });
    const ds = desiredDatasets(inv);
    assert.deepEqual(
      ds.map((d) => [d.schema, d.table, d.description]),
      [
        ['public', 'page_views', 'views'],
        ['web', 'clicks', undefined],
      ],
    );
    assert.equal(ds[0]!.uuid, datasetUuid(inv, 'metrics', 'public', 'page_views'));
    assert.equal(ds[1]!.uuid, datasetUuid(inv, 'metrics', 'web', 'clicks'));
    assert.deepEqual(desiredDatasets(inv), ds, 'stable across calls');
  });

  it('desiredDatabase: a stable uuid per cluster, the serving database, the password masked as Superset shows it', async () => {
    const secrets = { 'postgresql-password': 'p@ss/1' };
    const a = await tempInventory({ cluster: 'alpha' });
    const b = await tempInventory({ cluster: 'beta' });
    const db = desiredDatabase(a, secrets);
    assert.match(db.uuid, UUID_V5);
    assert.equal(desiredDatabase(a, secrets).uuid, db.uuid);
    assert.notEqual(desiredDatabase(b, secrets).uuid, db.uuid);
    // The password plays no part in the uuid: rotating it must not register a second database.
    assert.equal(desiredDatabase(a, { 'postgresql-password': 'other' }).uuid, db.uuid);
    assert.equal(db.name, 'serving');
    assert.equal(db.host, '10.9.8.7:5432');
    assert.equal(db.uri, 'postgresql+psycopg2://pyro:p%40ss%2F1@10.9.8.7:5432/serving');
    assert.equal(db.maskedUri, 'postgresql+psycopg2://pyro:XXXXXXXXXX@10.9.8.7:5432/serving');
  });
});

describe('superset registry: pgUri', () => {
  it('URL-encodes a password holding URI delimiters, so it decodes back unchanged', async () => {
    const inv = await tempInventory();
    const pw = 'p@ss/w:rd?#%& x';
    const uri = pgUri(inv, { 'postgresql-password': pw }, 'superset');
    assert.ok(!uri.includes(pw));
    const m = /^postgresql\+psycopg2:\/\/pyro:([^@]*)@10\.9\.8\.7:5432\/superset$/.exec(uri);
    assert.ok(m, uri);
    assert.doesNotMatch(m[1]!, /[@/:?#& ]/);
    assert.equal(decodeURIComponent(m[1]!), pw);
  });

  it('throws without a password or without a postgresql host', async () => {
    const inv = await tempInventory();
    assert.throws(() => pgUri(inv, {}, 'serving'), /password is missing/);
    const noPg = await tempInventory({ roles: ['superset'] });
    assert.throws(() => pgUri(noPg, { 'postgresql-password': 'x' }, 'serving'), /no postgresql/);
  });
});

describe('superset registry: settings', () => {
  it('metadataBackend: postgresql when a host runs it, sqlite otherwise', async () => {
    assert.equal(metadataOf(await tempInventory({ roles: ['postgresql', 'superset'] })), 'postgresql');
    assert.equal(metadataOf(await tempInventory({ roles: ['superset'] })), 'sqlite');
  });

  it('metadataBackend: an explicit setting wins; postgresql without a postgresql host is refused when the inventory loads', async () => {
    assert.equal(metadataOf(await tempInventory({ roles: ['postgresql', 'superset'], superset: { metadata: 'sqlite' } })), 'sqlite');
    assert.equal(metadataOf(await tempInventory({ roles: ['postgresql', 'superset'], superset: { metadata: 'postgresql' } })), 'postgresql');
    await assert.rejects(tempInventory({ roles: ['superset'], superset: { metadata: 'postgresql' } }), (e: { diagnostics?: { message: string }[] }) =>
      Boolean(e.diagnostics?.some((d) => /metadata is set to postgresql but no host has the role postgresql/.test(d.message))),
    );
  });

  it('adminUser: admin unless the inventory names one', async () => {
    assert.equal(adminUser(await tempInventory()), 'admin');
    assert.equal(adminUser(await tempInventory({ superset: { adminUser: 'boss' } })), 'boss');
  });

  it('desiredDashboards: templates resolve relative to the inventory file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-superset-dash-'));
    mkdirSync(path.join(dir, 'tpl', 'mine', 'dashboards'), { recursive: true });
    const inv = await tempInventory({ dir, dashboards: [{ template: 'tpl/mine' }] });
    assert.deepEqual(desiredDashboards(inv), [{ template: 'tpl/mine', dir: path.join(dir, 'tpl', 'mine') }]);
  });
});

describe('superset registry: declared databases', () => {
  const secrets = { 'postgresql-password': 'pw' };

  it('without databases: the serving store alone, named after its database', async () => {
    const inv = await tempInventory({ cluster: 'dbs' });
    const dbs = desiredDatabases(inv, secrets, {});
    assert.deepEqual(
      dbs.map((d) => [d.name, d.serving]),
      [['serving', true]],
    );
    assert.equal(dbs[0]!.uuid, databaseUuid(inv, 'serving'));
  });

  it('with a Spark SQL server: a second database spark-sql (hive://, no password); its datasets default to the lake schema', async () => {
    const inv = await tempInventory({
      cluster: 'dbs',
      roles: ['postgresql', 'superset', 'spark-sql'],
      datasets: [{ table: 'page_views' }, { table: 'events_raw', database: 'spark-sql' }],
    });
    const dbs = desiredDatabases(inv, secrets, {});
    assert.deepEqual(
      dbs.map((d) => [d.name, d.uri.replace(/:[^:@/]+@/, ':***@'), d.serving]),
      [
        ['serving', 'postgresql+psycopg2://pyro:***@10.9.8.7:5432/serving', true],
        ['spark-sql', 'hive://root@10.9.8.7:10000/lake', false],
      ],
    );
    assert.deepEqual(
      desiredDatasets(inv).map((d) => [d.database, d.schema, d.table]),
      [
        ['serving', 'public', 'page_views'],
        ['spark-sql', 'lake', 'events_raw'],
      ],
    );
    await assert.rejects(
      tempInventory({ roles: ['postgresql', 'superset', 'spark-sql'], databases: [{ name: 'serving' }, { name: 'spark-sql', uri: 'hive://x@y:1/z' }] }),
      (e: { diagnostics: { message: string }[] }) => e.diagnostics.some((d) => /database spark-sql: the name is the Spark SQL server's/.test(d.message)),
    );
    await assert.rejects(tempInventory({ datasets: [{ table: 'events_raw', database: 'spark-sql' }] }), (e: { diagnostics: { message: string }[] }) =>
      e.diagnostics.some((d) => /names database spark-sql, which is not declared/.test(d.message)),
    );
  });

  it('an external database takes its password from the environment, URL-encoded, and is masked as Superset shows it', async () => {
    const inv = await tempInventory({
      cluster: 'dbs',
      databases: [{ name: 'serving' }, { name: 'warehouse', uri: 'postgresql+psycopg2://reader@db.example.com:5432/wh', passwordEnv: 'WH_PW' }],
    });
    const [serving, wh] = desiredDatabases(inv, secrets, { WH_PW: 'p@ss:/w' });
    assert.equal(serving!.serving, true);
    assert.equal(wh!.serving, false);
    assert.equal(wh!.uri, 'postgresql+psycopg2://reader:p%40ss%3A%2Fw@db.example.com:5432/wh');
    assert.equal(wh!.maskedUri, 'postgresql+psycopg2://reader:XXXXXXXXXX@db.example.com:5432/wh');
    assert.equal(wh!.host, 'db.example.com:5432');
  });

  it('a passwordEnv that is not set is an input error naming the variable', async () => {
    const inv = await tempInventory({
      cluster: 'dbs',
      databases: [{ name: 'serving' }, { name: 'warehouse', uri: 'postgresql+psycopg2://reader@db:5432/wh', passwordEnv: 'WH_PW' }],
    });
    assert.throws(
      () => desiredDatabases(inv, secrets, {}),
      (e: { code?: string; message: string; hint?: string }) =>
        e.code === 'MISSING_PASSWORD' && /WH_PW is not set/.test(e.message) && /export WH_PW=/.test(e.hint ?? ''),
    );
  });

  it('datasets default to the serving store and may name another database; uuids differ by database', async () => {
    const inv = await tempInventory({
      cluster: 'dbs',
      databases: [{ name: 'Serving store' }, { name: 'warehouse', uri: 'postgresql+psycopg2://reader@db:5432/wh' }],
      datasets: [{ table: 'page_views' }, { table: 'page_views', database: 'warehouse' }],
    });
    const sets = desiredDatasets(inv);
    assert.deepEqual(
      sets.map((d) => d.database),
      ['Serving store', 'warehouse'],
    );
    assert.notEqual(sets[0]!.uuid, sets[1]!.uuid);
  });
});
