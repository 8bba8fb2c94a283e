import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assembleContext } from '../../src/artifacts/tools.js';
import { kafkaRecipe } from '../../src/artifacts/recipes/kafka.js';
import { nifiRecipe } from '../../src/artifacts/recipes/nifi.js';
import { nifiKafkaNarFile } from '../../src/artifacts/recipes/nifi-kafka.js';
import type { ArtifactRecipe } from '../../src/artifacts/types.js';
import { LocalHost } from '../../src/hosts/local-host.js';
import { ensureTopic, startKafka, type RunningKafka } from '../helpers/smoke/kafka.js';
import { checkNifiKafka, type NifiKafkaResult } from '../helpers/smoke/nifi-kafka.js';
import { smokeNifi } from '../helpers/smoke/nifi.js';
import { findJava21 } from '../helpers/java.js';

/** NiFi 2 needs Java 21+; this machine's default java is 17. */
const JAVA21_HOME = findJava21();
/** Not Kafka's defaults: another test's broker may hold 9092/9093. */
const KAFKA_PORTS = { broker: 19092, controller: 19093 };
const LISTEN_HTTP_PORT = 19080;

async function assemble(recipe: ArtifactRecipe, root: string, scratch: string, log: string): Promise<void> {
  const ctx = await assembleContext(root, scratch, log, {});
  try {
    await recipe.assemble!(ctx);
  } finally {
    await ctx.close();
  }
}

/** The MANIFEST.MF of a NAR and the names of its bundled jars. */
function narInfo(nar: string): { manifest: string; jars: string[] } {
  const py = `import sys, zipfile, json
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({"manifest": z.read("META-INF/MANIFEST.MF").decode(), "jars": [n.rsplit("/", 1)[1] for n in z.namelist() if "/bundled-dependencies/" in n and n.endswith(".jar")]}))`;
  return JSON.parse(execFileSync('python3', ['-c', py, nar], { encoding: 'utf8' })) as { manifest: string; jars: string[] };
}

describe('NiFi artifact: assembled from Maven Central, started from the tree through LocalHost', function () {
  this.timeout(900_000);
  const host = new LocalHost({ name: 'local' });
  const recipe = nifiRecipe();
  let tmp: string;
  let root: string;
  let kafkaRoot: string;
  let kafka: RunningKafka | undefined;

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pyro-nifi-'));
    root = path.join(tmp, 'tree');
    kafkaRoot = path.join(tmp, 'kafka-tree');
  });
  after(async () => {
    await kafka?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it(`assembles NiFi ${recipe.version}: lib/ with the framework NARs, a nifi-standard-nar built from its jars and pyro's Kafka NAR, conf/`, async () => {
    const t0 = Date.now();
    await assemble(recipe, root, path.join(tmp, 'scratch'), path.join(tmp, 'fetch.log'));
    for (const p of recipe.requiredPaths) assert.ok(existsSync(path.join(root, p)), `missing ${p}`);
    assert.equal(recipe.javaMin, 21);
    const std = narInfo(path.join(root, 'lib', `nifi-standard-nar-${recipe.version}.nar`));
    assert.match(std.manifest, /^Nar-Id: nifi-standard-nar\r?$/m);
    assert.match(std.manifest, /^Nar-Dependency-Id: nifi-standard-shared-nar\r?$/m);
    assert.ok(std.jars.includes(`nifi-standard-processors-${recipe.version}.jar`), 'bundles the processors');
    // Jars the parents or lib/ provide stay out, or API classes would be loaded twice.
    for (const provided of ['nifi-api-', 'slf4j-api-', 'nifi-record-serialization-service-api-', 'nifi-utils-']) {
      assert.ok(!std.jars.some((j) => j.startsWith(provided)), `${provided}* must come from a parent, not the standard NAR`);
    }
    // pyro's publisher: its fixed coordinates, a child of the standard services API NAR, kafka-clients and its
    // compression codecs bundled, the API jars left to lib/ and the parent.
    const pub = narInfo(path.join(root, 'lib', nifiKafkaNarFile()));
    assert.match(pub.manifest, /^Nar-Group: dev\.pyro\r?$/m);
    assert.match(pub.manifest, /^Nar-Id: pyro-nifi-kafka-nar\r?$/m);
    assert.match(pub.manifest, /^Nar-Version: 1\.0\.0\r?$/m);
    assert.match(pub.manifest, /^Nar-Dependency-Id: nifi-standard-services-api-nar\r?$/m);
    assert.match(pub.manifest, new RegExp(`^Nar-Dependency-Version: ${recipe.version.replace(/\./g, '\\.')}\\r?$`, 'm'));
    assert.deepEqual(pub.jars.map((j) => j.replace(/-\d[^-]*(-\d+)?\.jar$/, '')).sort(), [
      'kafka-clients',
      'lz4-java',
      'pyro-nifi-kafka-processors',
      'snappy-java',
      'zstd-jni',
    ]);
    assert.ok(pub.jars.includes(`kafka-clients-${kafkaRecipe().version}.jar`), `kafka-clients of pyro's Kafka: ${pub.jars.join(' ')}`);
    assert.match(readFileSync(path.join(root, 'conf', 'nifi.properties'), 'utf8'), /^nifi\.nar\.library\.directory=\.\/lib$/m);
    const size = execFileSync('du', ['-sh', root], { encoding: 'utf8' }).split('\t')[0];
    console.log(
      `      nifi tree: ${size} in ${((Date.now() - t0) / 1000).toFixed(1)} s (standard NAR: ${std.jars.length} bundled jars; ${nifiKafkaNarFile()}: ${pub.jars.join(' ')})`,
    );
  });

  it(`assembles Kafka ${kafkaRecipe().version} and starts a one-node KRaft on 127.0.0.1:${KAFKA_PORTS.broker} for the publisher`, async () => {
    const t0 = Date.now();
    await assemble(kafkaRecipe(), kafkaRoot, path.join(tmp, 'kafka-scratch'), path.join(tmp, 'kafka-fetch.log'));
    kafka = await startKafka(host, kafkaRoot, { workDir: path.join(tmp, 'kafka-run'), address: '127.0.0.1' }, { ports: KAFKA_PORTS });
    await ensureTopic(kafka.bootstrap, 'pyro-nifi');
    console.log(`      kafka ${kafka.version} up at ${kafka.bootstrap} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  it('smokeNifi: HTTPS with a client certificate, REST answers /flow/about, a GenerateFlowFile flow runs; PublishKafkaPyro delivers to Kafka, holds flowfiles while Kafka is down, delivers them after; stops', async () => {
    assert.ok(kafka, 'Kafka started (the test before)');
    const t0 = Date.now();
    const workDir = path.join(tmp, 'run');
    const k = kafka;
    const control = {
      bootstrap: k.bootstrap,
      stop: () => k.stop(),
      start: async () => {
        kafka = await startKafka(host, kafkaRoot, { workDir: path.join(tmp, 'kafka-run'), address: '127.0.0.1' }, { ports: KAFKA_PORTS });
      },
    };
    let pub: NifiKafkaResult | undefined;
    const evidence = await smokeNifi(host, root, {
      workDir,
      address: '127.0.0.1',
      java21Home: JAVA21_HOME,
      during: async (nifi) => {
        pub = await checkNifiKafka(nifi, control, { topic: 'pyro-nifi', listenPort: LISTEN_HTTP_PORT, records: 1000, outageRecords: 250, perPost: 50 });
        return pub.text;
      },
    });
    console.log(`      ${evidence} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    assert.ok(pub);
    assert.equal(pub.bundle, 'dev.pyro:pyro-nifi-kafka-nar:1.0.0');
    assert.deepEqual(pub.first, { messages: 1000, distinct: 1000, exact: true }, 'every record posted reached Kafka once');
    assert.equal(pub.attributes['kafka.topic'], 'pyro-nifi');
    assert.equal(pub.attributes['kafka.count'], '50');
    assert.equal(pub.successBefore, 20);
    assert.equal(pub.successDuringOutage, 20, 'nothing reached success while Kafka was down');
    assert.equal(pub.heldDuringOutage, 5, 'the flowfiles posted during the outage stayed in NiFi');
    assert.ok(pub.inFailureLoop >= 1, 'a flowfile went to failure');
    assert.match(pub.bulletin, /pyro-nifi|Kafka/);
    assert.equal(pub.successAtEnd, 25);
    assert.equal(pub.final.distinct, 1250);
    assert.ok(pub.final.exact, 'after the outage Kafka holds exactly the records posted');
    assert.match(evidence, new RegExp(`/flow/about version=${recipe.version.replace(/\./g, '\\.')} as CN=pyro-admin`));
    assert.match(evidence, /without a client certificate refused/);
    assert.match(evidence, /web UI \/nifi\/ HTTP 200, \d+ bytes of text\/html/);
    assert.match(evidence, /GenerateFlowFile \(nifi-standard-nar:2\.3\.0\) -> funnel queued [1-9]\d* FlowFile/);
    assert.match(evidence, /JsonTreeReader: yes/);
    assert.ok(!existsSync(workDir), 'the smoke removes its work dir');
    const left = execFileSync('sh', ['-c', `ps -eo args | grep -F '${root}/lib' | grep -v grep || true`], { encoding: 'utf8' }).trim();
    assert.equal(left, '', `NiFi still running: ${left}`);
  });
});
