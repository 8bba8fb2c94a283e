import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HOST_PRELUDE } from '../../../src/phases/host-sh.js';
import { parseState } from '../../../src/phases/host-state.js';
import { operationLogDir, sparkSqlFacts } from '../../../src/services/spark-sql/files.js';
import { InventoryError } from '../../../src/inventory/diagnostics.js';
import { parseRows } from '../../../src/services/spark-sql/beeline.js';
import { sqlAlchemyUri, sqlJdbcUrl } from '../../../src/services/spark-sql/endpoints.js';
import { createTableSql } from '../../../src/services/spark-sql/register.js';
import { lakeTables } from '../../../src/services/lake/tables.js';
import { execArgv, hadoopXml, instanceOf, inventoryFromYaml, renderOn } from '../../helpers/rendered.js';

// What the Spark SQL server renders (hive-site.xml with the metastore in PostgreSQL, spark-defaults.conf for
// client mode on YARN, the Hadoop client files, run.sh), how it registers lake tables, and what status reads.

const ROLES = 'hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker';
const yaml = (sql = 'spark-sql', extra = '') => `cluster: { name: t }
hosts:
  - { name: a, address: 10.0.0.1, roles: [${ROLES}, postgresql] }
  - { name: b, address: 10.0.0.2, roles: [hdfs-datanode, yarn-nodemanager, ${sql}] }
topics:
  - { name: events }
lake:
  - { name: events_raw, topic: events }
  - { name: daily_pages }
${extra}`;
const SECRETS = { 'postgresql-password': 'pw-Secret_1' };
const BUILD = 'f2fe3f92cf0bd7c5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

function defaults(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of text.split('\n')) if (l && !l.startsWith('#')) m.set(l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1));
  return m;
}

describe('spark-sql: the Spark SQL server', () => {
  it('hive-site.xml: the metastore in its own PostgreSQL database, the password only in this 0600 file; Thrift on the host', async () => {
    const inv = await inventoryFromYaml(yaml());
    const d = renderOn(inv, 'b', 'spark-sql', { secrets: SECRETS, builds: { spark: BUILD } });
    const hive = hadoopXml(d.files['hive-site.xml']!);
    assert.equal(hive.get('javax.jdo.option.ConnectionURL'), 'jdbc:postgresql://10.0.0.1:5432/metastore');
    assert.equal(hive.get('javax.jdo.option.ConnectionUserName'), 'pyro');
    assert.equal(hive.get('javax.jdo.option.ConnectionPassword'), 'pw-Secret_1');
    assert.equal(hive.get('datanucleus.schema.autoCreateTables'), 'true');
    assert.equal(hive.get('datanucleus.schema.autoCreateConstraints'), 'false');
    assert.equal(hive.get('hive.server2.thrift.bind.host'), '10.0.0.2');
    assert.equal(hive.get('hive.server2.thrift.port'), '10000');
    assert.deepEqual(d.runtime.privateFiles, ['hive-site.xml']);
    for (const [name, text] of Object.entries(d.files)) {
      if (name !== 'hive-site.xml') assert.ok(!text.includes(SECRETS['postgresql-password']), `${name} holds the password`);
    }
  });

  it('spark-defaults.conf: client mode on YARN, the heap as driver memory, executors as set, Spark jars from HDFS', async () => {
    const inv = await inventoryFromYaml(yaml().replace('hosts:', 'services:\n  spark-sql: { heap: 768m, executors: 2, executorMemory: 2g }\nhosts:'));
    const c = defaults(renderOn(inv, 'b', 'spark-sql', { secrets: SECRETS, builds: { spark: BUILD } }).files['spark-defaults.conf']!);
    assert.equal(c.get('spark.master'), 'yarn');
    assert.equal(c.get('spark.submit.deployMode'), 'client');
    assert.equal(c.get('spark.driver.memory'), '768m');
    assert.equal(c.get('spark.executor.instances'), '2');
    assert.equal(c.get('spark.executor.memory'), '2g');
    assert.equal(c.get('spark.driver.host'), '10.0.0.2');
    assert.equal(c.get('spark.yarn.archive'), 'hdfs://10.0.0.1:8020/pyro/spark/f2fe3f92cf0bd7c5/spark-jars.tar');
    assert.match(c.get('spark.driver.extraClassPath')!, /^\/opt\/pyro\/postgresql-jdbc\/[^/]+\/jars\/\*$/);
    assert.equal(c.get('spark.sql.hive.manageFilesourcePartitions'), 'false');
    assert.equal(c.get('spark.sql.metadataCacheTTLSeconds'), '10');
    assert.equal(c.get('spark.ui.enabled'), 'false');
  });

  it('run.sh: spark-submit of HiveThriftServer2 with the role marker; conf dirs point at its own files', async () => {
    const inv = await inventoryFromYaml(yaml());
    const d = renderOn(inv, 'b', 'spark-sql', { secrets: SECRETS });
    const argv = execArgv(d.files['run.sh']!);
    assert.match(argv[0]!, /^\/opt\/pyro\/spark\/[^/]+\/bin\/spark-submit$/);
    assert.deepEqual(argv.slice(1), [
      '--class',
      'org.apache.spark.sql.hive.thriftserver.HiveThriftServer2',
      '--driver-java-options',
      '-Dpyro.role=spark-sql',
      'spark-internal',
    ]);
    assert.match(d.files['run.sh']!, /^export SPARK_CONF_DIR=\/opt\/pyro\/conf\/spark-sql$/m);
    assert.ok(d.files['core-site.xml'] && d.files['yarn-site.xml']);
    assert.ok(!('spark.yarn.archive' in Object.fromEntries(defaults(d.files['spark-defaults.conf']!))), 'no build known: no archive path');
  });

  it("beeline's output as rows: the prompt it echoes before a first row is not part of it", () => {
    assert.deepEqual(parseRows('0: jdbc:hive2://10.0.0.2:10000/default> 4.2.0 32f7\n'), [['4.2.0 32f7']]);
    assert.deepEqual(parseRows('. . . . . . . . . . . . . . . . . . . > 1000000\n'), [['1000000']]);
    assert.deepEqual(parseRows('0: jdbc:hive2://h:10000/lake> lake\tevents_raw\tfalse\nlake\tclicks\tfalse\n0: jdbc:hive2://h:10000/lake> \n'), [
      ['lake', 'events_raw', 'false'],
      ['lake', 'clicks', 'false'],
    ]);
  });

  it('JDBC and SQLAlchemy URLs name the lake database', async () => {
    const inst = instanceOf(await inventoryFromYaml(yaml()), 'b', 'spark-sql');
    assert.equal(sqlJdbcUrl(inst), 'jdbc:hive2://10.0.0.2:10000/lake');
    assert.equal(sqlAlchemyUri(inst, 'root'), 'hive://root@10.0.0.2:10000/lake');
  });

  it("registers an archived table with the archive job's columns, a user's table from its files", async () => {
    const [raw, daily] = lakeTables(await inventoryFromYaml(yaml()));
    assert.equal(
      createTableSql('lake', raw!, 'hdfs://nn:8020'),
      "CREATE TABLE IF NOT EXISTS `lake`.`events_raw` (`value` STRING, `page` STRING, `user` STRING, `event_time` TIMESTAMP, `kafka_time` TIMESTAMP, `kafka_partition` INT, `kafka_offset` BIGINT, `day` DATE, `hour` INT) USING parquet PARTITIONED BY (`day`, `hour`) LOCATION 'hdfs://nn:8020/lake/events_raw'",
    );
    assert.equal(
      createTableSql('lake', daily!, 'hdfs://nn:8020'),
      "CREATE TABLE IF NOT EXISTS `lake`.`daily_pages` USING parquet LOCATION 'hdfs://nn:8020/lake/daily_pages'",
    );
  });

  it('refuses a server without PostgreSQL, and two servers', async () => {
    const noPg = await inventoryFromYaml(yaml().replace(', postgresql]', ']')).then(
      () => assert.fail('accepted'),
      (e: unknown) => e,
    );
    assert.ok(noPg instanceof InventoryError);
    assert.deepEqual(
      noPg.diagnostics.map((d) => `${d.path}: ${d.message}`),
      ['hosts[1].roles[2]: the Spark SQL server keeps its Hive metastore in PostgreSQL, but no host has the role postgresql'],
    );
    const two = await inventoryFromYaml(yaml().replace(`${ROLES}, postgresql]`, `${ROLES}, postgresql, spark-sql]`)).then(
      () => assert.fail('accepted'),
      (e: unknown) => e,
    );
    assert.ok(two instanceof InventoryError);
    assert.match(two.diagnostics[0]!.message, /spark-sql is on 2 hosts \(a, b\); at most one Spark SQL server is supported \(one server per cluster\)/);
  });

  it('status counts open sessions and statements in the operation-log dir, emptied by each start', async () => {
    const inv = await inventoryFromYaml(yaml());
    const inst = instanceOf(inv, 'b', 'spark-sql');
    const d = renderOn(inv, 'b', 'spark-sql', { secrets: SECRETS, builds: { spark: BUILD } });
    const dir = hadoopXml(d.files['hive-site.xml']!).get('hive.server2.logging.operation.log.location')!;
    assert.equal(dir, operationLogDir(inst));
    assert.ok(d.files['run.sh']!.includes(`rm -rf ${dir}`), 'run.sh starts without the sessions of a process that died');
    const root = mkdtempSync(path.join(os.tmpdir(), 'pyro-oplog-'));
    try {
      const facts = sparkSqlFacts({ ...inst, dirs: { ...inst.dirs, scratch: root } });
      const run = () => parseState(execFileSync('sh', ['-c', `${HOST_PRELUDE}\n${facts}`], { encoding: 'utf8' }), []).facts['spark-sql'];
      assert.equal(run(), undefined, 'no dir (a server never started): no facts');
      for (const s of ['s1', 's2', 's3']) mkdirSync(path.join(root, 'operation_logs', s), { recursive: true });
      writeFileSync(path.join(root, 'operation_logs', 's2', 'op1'), 'log');
      writeFileSync(path.join(root, 'operation_logs', 's3', 'op2'), '');
      assert.deepEqual(run(), { sessions: '3', statements: '2' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
