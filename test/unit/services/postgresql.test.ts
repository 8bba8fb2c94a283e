import { strict as assert } from 'node:assert';
import type { Inventory } from '../../../src/inventory/types.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { servingDatabase, servingJdbc } from '../../../src/services/postgresql/endpoints.js';
import { instanceOf, inventoryFromYaml, pgConf, renderOn } from '../../helpers/rendered.js';

// What PostgreSQL renders: postgresql.conf, pg_hba.conf, run.sh (Debian's server as the postgres user), initdb
// as its format step, and the post-start sh that sets pyro's password and creates the serving database.

const SECRETS = { 'postgresql-password': 'pw-Secret_1' };
const render = (inv: Inventory, host: string, resources?: { memTotalMb: number; cpus: number }) =>
  renderOn(inv, host, 'postgresql', { secrets: SECRETS, resources });

describe('postgresql renders (inventories/three-hosts.yaml)', () => {
  let inv: Inventory;
  before(async () => (inv = (await loadInventory('inventories/three-hosts.yaml')).inventory));

  it('postgresql.conf: listens on the host address and port, data and socket in its data dir, hba beside it', () => {
    const c = pgConf(render(inv, 'node1').files['postgresql.conf']!);
    assert.equal(c.get('listen_addresses'), '192.0.2.11');
    assert.equal(c.get('port'), '5432');
    assert.equal(c.get('data_directory'), '/var/lib/pyro/postgresql');
    assert.equal(c.get('unix_socket_directories'), '/var/lib/pyro/postgresql');
    assert.equal(c.get('hba_file'), '/opt/pyro/conf/postgresql/pg_hba.conf');
    assert.equal(c.get('password_encryption'), 'scram-sha-256');
  });

  it('postgresql.conf: shared_buffers is half the memory setting (default 256m)', () => {
    assert.equal(pgConf(render(inv, 'node1').files['postgresql.conf']!).get('shared_buffers'), '128MB');
  });

  it('pg_hba.conf: trust on the local socket only, passwords (scram) over TCP', () => {
    const hba = render(inv, 'node1')
      .files['pg_hba.conf']!.split('\n')
      .filter((l) => l && !l.startsWith('#'));
    assert.deepEqual(hba, ['local all all trust', 'host all all 0.0.0.0/0 scram-sha-256', 'host all all ::/0 scram-sha-256']);
  });

  it('the password is only in the post-start sh, never in a file', () => {
    const d = render(inv, 'node1');
    assert.match(d.postStart!, /^ALTER ROLE pyro PASSWORD 'pw-Secret_1';$/m);
    for (const [name, text] of Object.entries(d.files)) assert.ok(!text.includes(SECRETS['postgresql-password']), `${name} holds the password`);
  });

  it('run.sh: finds the server binaries, runs as postgres when root, with the conf file and the role marker', () => {
    const run = render(inv, 'node1').files['run.sh']!;
    assert.match(run, /^PGBIN=\$\(ls -d \/usr\/lib\/postgresql\/\*\/bin/m);
    assert.match(run, /setpriv --reuid=postgres/);
    assert.match(
      run,
      /^exec \$AS "\$PGBIN\/postgres" -D \/var\/lib\/pyro\/postgresql -c config_file=\/opt\/pyro\/conf\/postgresql\/postgresql\.conf -c pyro\.role=postgresql$/m,
    );
    assert.equal(render(inv, 'node1').marker, 'pyro.role=postgresql');
  });

  it("format: initdb of the data dir with pyro as superuser; post-start: pyro's password and the serving database", () => {
    const d = render(inv, 'node1');
    assert.equal(d.format!.dir, '/var/lib/pyro/postgresql');
    assert.equal(d.format!.done, '/var/lib/pyro/postgresql/PG_VERSION');
    assert.match(d.format!.argv.at(-1)!, /"\$PGBIN\/initdb" -D '\/var\/lib\/pyro\/postgresql' -U pyro /);
    assert.match(d.postStart!, /CREATE DATABASE "serving" OWNER pyro/);
  });
});

describe('postgresql renders (settings and overrides)', () => {
  const yaml = (extra: string) => `
cluster: { name: pgtest }
hosts:
  - { name: a, address: 10.4.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker] }
  - name: b
    address: 10.4.0.2
    roles: [postgresql]
${extra}`;

  it('memory, port, dir and postgresql.conf keys from services.postgresql', async () => {
    const inv = await inventoryFromYaml(
      yaml(`services:
  postgresql:
    heap: 1g
    ports: { pg: 5433 }
    dirs: { data: /srv/pg }
    database: page-views
    config: { postgresql.conf: { max_connections: 300, log_min_duration_statement: 250, shared_buffers: 512MB } }
`),
    );
    const d = render(inv, 'b');
    const c = pgConf(d.files['postgresql.conf']!);
    assert.equal(c.get('port'), '5433');
    assert.equal(c.get('data_directory'), '/srv/pg');
    assert.equal(c.get('max_connections'), '300');
    assert.equal(c.get('log_min_duration_statement'), '250');
    // The inventory's key wins over the one derived from the memory setting.
    assert.equal(c.get('shared_buffers'), '512MB');
    // A dash is allowed in the name, not in a bare SQL identifier.
    assert.match(
      d.postStart!,
      /^SELECT 'CREATE DATABASE "page-views" OWNER pyro' WHERE NOT EXISTS \(SELECT FROM pg_database WHERE datname = 'page-views'\)\\gexec$/m,
    );
    assert.equal(servingDatabase(inv), 'page-views');
  });

  it('shared_buffers follows a memory setting, which a small host does not scale down', async () => {
    const inv = await inventoryFromYaml(yaml('services:\n  postgresql: { heap: 2g }\n'));
    const d = render(inv, 'b', { memTotalMb: 1024, cpus: 1 });
    assert.equal(d.heapMb, 2048);
    assert.equal(pgConf(d.files['postgresql.conf']!).get('shared_buffers'), '1024MB');
  });

  it("the host's own block wins: its database, memory and config", async () => {
    const inv = await inventoryFromYaml(
      yaml(`    services:
      postgresql:
        heap: 512m
        database: hostdb
        config: { postgresql.conf: { max_connections: 50 } }
services:
  postgresql:
    heap: 1g
    database: clusterdb
    config: { postgresql.conf: { max_connections: 300 } }
`),
    );
    const d = render(inv, 'b');
    const c = pgConf(d.files['postgresql.conf']!);
    assert.equal(c.get('max_connections'), '50');
    assert.equal(c.get('shared_buffers'), '256MB');
    assert.match(d.postStart!, /CREATE DATABASE "hostdb" OWNER pyro/);
    // Everything that reaches the serving store names the same database.
    assert.equal(servingDatabase(inv), 'hostdb');
    assert.equal(servingJdbc(inv, SECRETS)!.url, 'jdbc:postgresql://10.4.0.2:5432/hostdb');
    assert.equal(instanceOf(inv, 'b', 'postgresql').heapMb, 512);
  });
});
