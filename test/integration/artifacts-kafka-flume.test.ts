import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assembleContext } from '../../src/artifacts/tools.js';
import { flumeRecipe } from '../../src/artifacts/recipes/flume.js';
import { kafkaRecipe } from '../../src/artifacts/recipes/kafka.js';
import type { ArtifactRecipe } from '../../src/artifacts/types.js';
import { LocalHost } from '../../src/hosts/local-host.js';
import { smokeFlume } from '../helpers/smoke/flume.js';
import { smokeKafka, startKafka, tcpOpen, KAFKA_PORT } from '../helpers/smoke/kafka.js';

/** Jars in `dir` that carry an SLF4J binding (2.x service provider or 1.x StaticLoggerBinder). */
function slf4jProviders(dir: string): string[] {
  const py = `import sys, os, zipfile
for f in sorted(os.listdir(sys.argv[1])):
    if f.endswith('.jar'):
        n = set(zipfile.ZipFile(os.path.join(sys.argv[1], f)).namelist())
        if 'META-INF/services/org.slf4j.spi.SLF4JServiceProvider' in n or 'org/slf4j/impl/StaticLoggerBinder.class' in n:
            print(f)`;
  return execFileSync('python3', ['-c', py, dir], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
}

async function assemble(recipe: ArtifactRecipe, dir: string): Promise<number> {
  const t0 = Date.now();
  const ctx = await assembleContext(path.join(dir, 'tree'), path.join(dir, 'scratch'), path.join(dir, 'fetch.log'), {});
  try {
    await recipe.assemble!(ctx);
  } finally {
    await ctx.close();
  }
  return Date.now() - t0;
}

const du = (dir: string) => execFileSync('du', ['-sh', dir], { encoding: 'utf8' }).split('\t')[0];

describe('Kafka and Flume artifacts: assembled from Maven Central, started from the tree through LocalHost', function () {
  this.timeout(900_000);
  const host = new LocalHost({ name: 'local' });
  const address = '127.0.0.1';
  const kafka = kafkaRecipe();
  const flume = flumeRecipe();
  let tmp: string;
  let kafkaRoot: string;
  let flumeRoot: string;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pyro-kafka-flume-'));
    kafkaRoot = path.join(tmp, 'kafka', 'tree');
    flumeRoot = path.join(tmp, 'flume', 'tree');
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it(`assembles Kafka ${kafka.version}: libs/ with one SLF4J provider (log4j-slf4j2-impl), config/log4j2.yaml`, async () => {
    const ms = await assemble(kafka, path.join(tmp, 'kafka'));
    for (const p of kafka.requiredPaths) assert.ok(existsSync(path.join(kafkaRoot, p)), `missing ${p}`);
    assert.deepEqual(slf4jProviders(path.join(kafkaRoot, 'libs')), ['log4j-slf4j2-impl-2.25.4.jar']);
    assert.ok(existsSync(path.join(kafkaRoot, 'libs', 'slf4j-api-2.0.17.jar')), 'slf4j-api 2 (the provider needs it)');
    assert.ok(existsSync(path.join(kafkaRoot, 'libs', 'kafka-tools-' + kafka.version + '.jar')));
    assert.match(kafka.url!.url, /\/kafka\/4\.3\.1\/kafka_2\.13-4\.3\.1\.tgz$/);
    assert.match(kafka.url!.sha512, /^[0-9a-f]{128}$/);
    console.log(`      kafka tree: ${du(kafkaRoot)} in ${(ms / 1000).toFixed(1)} s`);
  });

  it(`assembles Flume ${flume.version}: lib/ with the Kafka sink and one SLF4J binding, conf/log4j2.xml`, async () => {
    const ms = await assemble(flume, path.join(tmp, 'flume'));
    for (const p of flume.requiredPaths) assert.ok(existsSync(path.join(flumeRoot, p)), `missing ${p}`);
    assert.deepEqual(slf4jProviders(path.join(flumeRoot, 'lib')), ['log4j-slf4j-impl-2.25.4.jar']);
    console.log(`      flume tree: ${du(flumeRoot)} in ${(ms / 1000).toFixed(1)} s`);
  });

  it('smokeKafka: formats, starts KRaft, answers kafkajs (metadata, topic, produce+consume), stops', async () => {
    const t0 = Date.now();
    const evidence = await smokeKafka(host, kafkaRoot, { workDir: path.join(tmp, 'kafka-run'), address });
    console.log(`      ${evidence} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    assert.match(evidence, /formatted and started/);
    assert.match(evidence, /describeCluster: clusterId=\S+ brokers=\[1@127\.0\.0\.1:9092\] controller=1/);
    assert.match(evidence, /consumed back/);
    assert.equal(await tcpOpen(address, KAFKA_PORT), false, 'the broker is stopped');
  });

  it('smokeFlume: netcat -> Kafka sink -> topic on a running Kafka, sink counters over HTTP /metrics', async () => {
    const t0 = Date.now();
    // The same work dir again: meta.properties is there, so this start must not format.
    const k = await startKafka(host, kafkaRoot, { workDir: path.join(tmp, 'kafka-run'), address });
    let evidence: string;
    try {
      assert.equal(k.formatted, false, 'an already formatted log dir is not formatted again');
      evidence = await smokeFlume(host, flumeRoot, { workDir: path.join(tmp, 'flume-run'), address }, k.bootstrap);
    } finally {
      await k.stop();
    }
    console.log(`      ${evidence} (${((Date.now() - t0) / 1000).toFixed(1)} s with the broker's start)`);
    assert.match(evidence, /read back with kafkajs/);
    assert.match(evidence, /EventDrainSuccessCount=[1-9]/);
    assert.equal(await tcpOpen(address, KAFKA_PORT), false, 'the broker is stopped');
  });
});
