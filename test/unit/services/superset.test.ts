import assert from 'node:assert/strict';
import { loadInventory } from '../../../src/services/catalog.js';
import type { Inventory, ServiceInstance } from '../../../src/inventory/types.js';
import { desiredFor } from '../../../src/phases/desired.js';
import { SUPERSET_MARKER, SUPERSET_PRIVATE_FILES } from '../../../src/services/superset/files.js';
import { adminUser } from '../../../src/services/superset/registry.js';
import { execArgv, inventoryFromYaml } from '../../helpers/rendered.js';
import { IDS, SECRETS, tempInventory } from '../superset/fixtures.js';

function superset(inv: Inventory): ServiceInstance {
  const i = inv.instances.find((x) => x.def.role === 'superset');
  assert.ok(i, 'the inventory runs superset');
  return i;
}

const SECRET_VALUES = ['p@ss/1', encodeURIComponent('p@ss/1'), 'k'.repeat(40), 'adminpw'];

describe('superset runtime on PostgreSQL (inventories/three-hosts.yaml)', () => {
  let inv: Inventory;
  let inst: ServiceInstance;
  let pgAddr: string;
  before(async () => {
    inv = (await loadInventory('inventories/three-hosts.yaml')).inventory;
    inst = superset(inv);
    const pg = inv.instances.find((i) => i.def.role === 'postgresql')!;
    pgAddr = `${pg.host.address}:${pg.ports.pg}`;
  });

  it('renders its conf dir: config, secrets, admin credentials, setup helper, init and run scripts', () => {
    const d = desiredFor(inv, inst, IDS, undefined, {}, SECRETS);
    for (const f of ['superset_config.py', 'superset_secrets.py', 'admin.secret', 'pyro_superset.py', 'init.sh', 'run.sh']) assert.ok(f in d.files, f);
    assert.deepEqual(d.runtime.privateFiles, SUPERSET_PRIVATE_FILES);
    assert.deepEqual([...SUPERSET_PRIVATE_FILES].sort(), ['admin.secret', 'superset_secrets.py']);
  });

  it('superset_secrets.py: the secret key, and the metadata URI on the superset database with the password encoded', () => {
    const s = desiredFor(inv, inst, IDS, undefined, {}, SECRETS).files['superset_secrets.py']!;
    assert.match(s, new RegExp(`^SECRET_KEY = "${'k'.repeat(40)}"$`, 'm'));
    assert.ok(s.includes(`SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://pyro:p%40ss%2F1@${pgAddr}/superset"\n`), s);
    assert.ok(!s.includes('p@ss/1'), 'the raw password never lands in the URI');
  });

  it('superset_config.py imports the secrets and holds none of them', () => {
    const c = desiredFor(inv, inst, IDS, undefined, {}, SECRETS).files['superset_config.py']!;
    assert.match(c, /^from superset_secrets import SECRET_KEY, SQLALCHEMY_DATABASE_URI/m);
    assert.match(c, new RegExp(`^SUPERSET_WEBSERVER_PORT = ${inst.ports.http}$`, 'm'));
    assert.match(c, /^DATA_DIR = "\/var\/lib\/pyro\/superset"$/m);
    assert.match(c, /^SUPERSET_DASHBOARD_PERIODICAL_REFRESH_LIMIT = 0$/m);
    for (const v of SECRET_VALUES) assert.ok(!c.includes(v), `superset_config.py holds ${v}`);
    assert.doesNotMatch(c, /^(SECRET_KEY|SQLALCHEMY_DATABASE_URI) =/m);
  });

  it('admin.secret: the user on one line, the password on the next', () => {
    assert.equal(desiredFor(inv, inst, IDS, undefined, {}, SECRETS).files['admin.secret'], 'admin\nadminpw\n');
  });

  it('secrets stay out of every file but the two private ones', () => {
    const d = desiredFor(inv, inst, IDS, undefined, {}, SECRETS);
    for (const [name, text] of Object.entries(d.files)) {
      if (SUPERSET_PRIVATE_FILES.includes(name)) continue;
      for (const v of SECRET_VALUES) assert.ok(!text.includes(v), `${name} holds ${v}`);
    }
  });

  it('run.sh execs gunicorn marked pyro.role=superset, bound to the host address and port, 2 workers by default', () => {
    const d = desiredFor(inv, inst, IDS, undefined, {}, SECRETS);
    const argv = execArgv(d.files['run.sh']!);
    assert.match(argv[0]!, /\/superset\/[^/]+\/venv\/bin\/gunicorn$/);
    const after = (flag: string) => argv[argv.indexOf(flag) + 1];
    assert.equal(after('--name'), SUPERSET_MARKER);
    assert.equal(SUPERSET_MARKER, 'pyro.role=superset');
    assert.equal(after('--bind'), `${inst.host.address}:${inst.ports.http}`);
    assert.equal(after('--workers'), '2');
    assert.equal(argv.at(-1), 'superset.app:create_app()');
    assert.equal(d.marker, SUPERSET_MARKER);
    assert.match(d.files['run.sh']!, /SUPERSET_CONFIG_PATH=.*\/conf\/superset\/superset_config\.py/);
    assert.match(d.files['run.sh']!, /^sh \/opt\/pyro\/conf\/superset\/init\.sh upgrade$/m);
  });

  it('format runs init.sh format once, done when pyro-initialized exists in the home dir', () => {
    const d = desiredFor(inv, inst, IDS, undefined, {}, SECRETS);
    assert.deepEqual(d.format, {
      dir: '/var/lib/pyro/superset',
      done: '/var/lib/pyro/superset/pyro-initialized',
      argv: ['sh', `${d.paths.conf}/init.sh`, 'format'],
    });
    assert.match(d.files['init.sh']!, /^ {2}format\)$/m);
  });

  it('refuses to render without the Superset secrets', () => {
    assert.throws(() => desiredFor(inv, inst, IDS, undefined, {}, { 'postgresql-password': 'x' }), /Superset secrets are missing/);
  });
});

describe('superset runtime on SQLite', () => {
  it('metadata: sqlite (inventories/local.yaml): a sqlite file in the home dir, no PostgreSQL password needed, its worker count', async () => {
    const inv = (await loadInventory('inventories/local.yaml')).inventory;
    const d = desiredFor(inv, superset(inv), IDS, undefined, {}, { 'superset-secret-key': 'k'.repeat(40), 'superset-admin-password': 'adminpw' });
    assert.match(d.files['superset_secrets.py']!, /^SQLALCHEMY_DATABASE_URI = "sqlite:\/\/\/\/var\/lib\/pyro\/superset\/superset\.db"$/m);
    const argv = execArgv(d.files['run.sh']!);
    assert.equal(argv[argv.indexOf('--workers') + 1], '1');
  });

  it('no postgresql host: sqlite by default', async () => {
    const inv = await tempInventory({ roles: ['superset'] });
    const d = desiredFor(inv, superset(inv), IDS, undefined, {}, SECRETS);
    assert.match(d.files['superset_secrets.py']!, /^SQLALCHEMY_DATABASE_URI = "sqlite:\/\/\/.*\/superset\.db"$/m);
  });

  it('inventory keys for superset_config.py render as Python literals', async () => {
    const inv = await tempInventory({
      superset: { adminUser: 'boss', config: { 'superset_config.py': { ROW_LIMIT: 5000, ENABLE_PROXY_FIX: true, APP_NAME: 'Pyro "BI"' } } },
    });
    const d = desiredFor(inv, superset(inv), IDS, undefined, {}, SECRETS);
    const c = d.files['superset_config.py']!;
    assert.match(c, /^ROW_LIMIT = 5000$/m);
    assert.match(c, /^ENABLE_PROXY_FIX = True$/m);
    assert.match(c, /^APP_NAME = "Pyro \\"BI\\""$/m);
    assert.equal(d.files['admin.secret'], 'boss\nadminpw\n');
  });
});

describe("superset renders (the host's own settings)", () => {
  it("workers, admin user and metadata store from the host's services.superset block win over the component's", async () => {
    const inv = await inventoryFromYaml(`
cluster: { name: sshost }
hosts:
  - { name: a, address: 10.5.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker, postgresql] }
  - name: b
    address: 10.5.0.2
    roles: [superset]
    services:
      superset: { workers: 5, adminUser: ops, metadata: sqlite, ports: { http: 8091 }, config: { superset_config.py: { ROW_LIMIT: 100 } } }
services:
  superset: { workers: 3, adminUser: boss, config: { superset_config.py: { ROW_LIMIT: 5000, APP_NAME: pyro } } }
`);
    const d = desiredFor(inv, superset(inv), IDS, undefined, {}, SECRETS);
    const argv = execArgv(d.files['run.sh']!);
    assert.equal(argv[argv.indexOf('--workers') + 1], '5');
    assert.equal(argv[argv.indexOf('--bind') + 1], '10.5.0.2:8091');
    assert.equal(d.files['admin.secret'], 'ops\nadminpw\n');
    assert.match(d.files['superset_secrets.py']!, /^SQLALCHEMY_DATABASE_URI = "sqlite:\/\/\/\/var\/lib\/pyro\/superset\/superset\.db"$/m);
    assert.match(d.files['superset_config.py']!, /^ROW_LIMIT = 100$/m);
    assert.match(d.files['superset_config.py']!, /^APP_NAME = "pyro"$/m);
    assert.match(d.files['superset_config.py']!, /^SUPERSET_WEBSERVER_PORT = 8091$/m);
    // The login pyro reports is the one it created.
    assert.equal(adminUser(inv), 'ops');
  });

  it("metadata: postgresql in the host's block without a postgresql host is refused at that line", async () => {
    await assert.rejects(
      inventoryFromYaml(`
cluster: { name: sshost }
hosts:
  - { name: a, address: 10.5.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker] }
  - { name: b, address: 10.5.0.2, roles: [superset], services: { superset: { metadata: postgresql } } }
`),
      (e: { diagnostics?: { path: string; message: string }[] }) =>
        Boolean(e.diagnostics?.some((d) => d.path === 'hosts[1].services.superset.metadata' && /no host has the role postgresql/.test(d.message))),
    );
  });
});
