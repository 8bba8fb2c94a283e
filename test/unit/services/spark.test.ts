import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { Inventory } from '../../../src/inventory/types.js';
import { managedInstances, unmanagedRoles } from '../../../src/phases/desired.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { jobFromInventory } from '../../../src/services/spark/jobs/spec.js';
import { clientConfFiles, submitConf } from '../../../src/services/spark/jobs/submit.js';
import { ROOT } from '../../helpers/cli.js';
import { hadoopXml, inventoryFromYaml } from '../../helpers/rendered.js';

// Spark runs no daemon yet (spark-history has no runtime): what it renders is on the control machine, the Hadoop
// client config spark-submit reads and the --conf pairs of each submission.

const INPUTS = { archive: 'hdfs://nn:8020/pyro/spark/spark-jars.zip', jdbcClassPath: 'postgresql-42.jar', secrets: { 'postgresql-password': 'pw1' } };

describe('spark renders (inventories/three-hosts.yaml)', () => {
  let inv: Inventory;
  before(async () => (inv = (await loadInventory('inventories/three-hosts.yaml')).inventory));

  it("the client config: fs.defaultFS, the cluster's replication, the ResourceManager's addresses", () => {
    const f = clientConfFiles(inv);
    assert.deepEqual(Object.keys(f).sort(), ['core-site.xml', 'hdfs-site.xml', 'yarn-site.xml']);
    assert.equal(hadoopXml(f['core-site.xml']!).get('fs.defaultFS'), 'hdfs://192.0.2.11:8020');
    assert.equal(hadoopXml(f['hdfs-site.xml']!).get('dfs.replication'), '3');
    const y = hadoopXml(f['yarn-site.xml']!);
    assert.equal(y.get('yarn.resourcemanager.address'), '192.0.2.11:8032');
    assert.equal(y.get('yarn.resourcemanager.scheduler.address'), '192.0.2.11:8030');
    assert.equal(y.get('yarn.resourcemanager.webapp.address'), '192.0.2.11:8088');
  });

  it('spark-history is declared but not run: no runtime, reported as unmanaged', () => {
    assert.ok(unmanagedRoles(inv).includes('spark-history'));
    assert.ok(!managedInstances(inv).some((i) => i.def.role === 'spark-history'));
  });
});

describe('spark renders (a submission)', () => {
  let inv: Inventory;
  before(async () => {
    inv = await inventoryFromYaml(`
cluster: { name: sparktest }
hosts:
  - { name: a, address: 10.6.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker, postgresql] }
services:
  hdfs: { replication: 1 }
  postgresql: { database: warehouse }
  spark:
    config:
      spark-defaults.conf: { spark.sql.shuffle.partitions: 8, spark.speculation: true, spark.eventLog.enabled: false }
topics:
  - { name: events, replicationFactor: 1 }
jobs:
  - name: views
    main: ${path.join(ROOT, 'jobs', 'page_views.py')}
    topics: [events]
    sparkConf: { spark.speculation: false }
`);
  });

  it("pyro's keys: the archive, the job's HDFS dirs, Kafka, the serving store", () => {
    const c = submitConf(inv, jobFromInventory(inv, 'views'), INPUTS);
    assert.equal(c['spark.yarn.archive'], INPUTS.archive);
    assert.equal(c['spark.yarn.submit.file.replication'], '1');
    assert.equal(c['spark.pyro.job'], 'views');
    assert.match(c['spark.pyro.jobDir']!, /^hdfs:\/\/10\.6\.0\.1:8020\/.*views/);
    assert.match(c['spark.pyro.checkpoint']!, /^hdfs:\/\/10\.6\.0\.1:8020\/.*views/);
    assert.equal(c['spark.pyro.kafka.bootstrap'], '10.6.0.1:9092');
    assert.equal(c['spark.pyro.pg.url'], 'jdbc:postgresql://10.6.0.1:5432/warehouse');
    assert.equal(c['spark.pyro.pg.password'], 'pw1');
    assert.equal(c['spark.driver.extraClassPath'], 'postgresql-42.jar');
    // A NameNode restart is waited out (2 s x 60), not a reason for the query to fail.
    assert.equal(c['spark.hadoop.dfs.client.retry.policy.enabled'], 'true');
    assert.equal(c['spark.hadoop.dfs.client.retry.policy.spec'], '2000,60');
  });

  it("the inventory's spark-defaults.conf reaches every job, over pyro's defaults; the job's sparkConf wins over it", () => {
    const c = submitConf(inv, jobFromInventory(inv, 'views'), INPUTS);
    assert.equal(c['spark.sql.shuffle.partitions'], '8');
    assert.equal(c['spark.eventLog.enabled'], 'false');
    assert.equal(c['spark.speculation'], 'false');
  });
});
