// bench/ingest: lines per second from a tailed file into Kafka through the Flume agent pyro runs, against Debian's
// `kcat -P` sending the same file to another topic of the same broker, in the same run. One simulated host runs a
// KRaft controller, a broker and the agent (HDFS and YARN too, small: every cluster has them) (pyro's defaults: file channel, acks=all;
// BENCH_FLUME_CHANNEL=kafka: a Kafka channel instead). The file holds BENCH_LINES
// access-log lines (default 200,000, about 40 MB); both paths send with acks=all.
// Flume's time runs from the file's rename into the tailed directory until the topic's end offsets hold every
// line; kcat's is its run time (it exits once every message is acknowledged).
// Last line: `ingest-ratio: X` = Flume's lines/s / kcat's lines/s (goal >= 0.5).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync, createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { kafkaClient } from '../src/clients/kafka-admin.js';
import { accessLogLine } from '../src/produce/access-log.js';
import { PYRO } from '../test/helpers/cli.js';
import { createTestbed } from '../test/testbed/testbed.js';

const LINES = Number(process.env.BENCH_LINES ?? 200_000);
const LOG_DIR = '/var/lib/pyro/benchlog'; // private to the simulated host
// Unset: pyro's default batch size (what users get); set to compare others.
const BATCH = process.env.BENCH_FLUME_BATCH ? `\n    batchSize: ${Number(process.env.BENCH_FLUME_BATCH)}` : '';
// file (pyro's default: a file channel and a Kafka sink) or kafka (the source writes through a Kafka channel).
const CHANNEL = process.env.BENCH_FLUME_CHANNEL ?? 'file';
// Set to N > 1 to try N Kafka sinks draining the one file channel (flume.conf overrides), beside the default.
const SINKS = Number(process.env.BENCH_FLUME_SINKS ?? 1);
const extraSinks = (n: number) =>
  n <= 1
    ? ''
    : `\n    config:\n      flume.conf:\n        agent.sinks: "${Array.from({ length: n }, (_x, i) => (i ? `bench-kafka${i + 1}` : 'bench-kafka')).join(' ')}"\n` +
      Array.from({ length: n - 1 }, (_x, i) =>
        [
          ['type', 'org.apache.flume.sink.kafka.KafkaSink'],
          ['channel', 'bench-channel'],
          ['kafka.bootstrap.servers', '${BROKERS}'],
          ['kafka.topic', 'flume-in'],
          ['kafka.producer.acks', 'all'],
          ['useFlumeEventFormat', 'false'],
          ['allowTopicOverride', 'false'],
        ]
          .map(([k, v]) => `        agent.sinks.bench-kafka${i + 2}.${k}: "${v}"`)
          .join('\n'),
      ).join('\n');

async function endOffsets(brokers: string[], topic: string): Promise<number> {
  const admin = kafkaClient(brokers, 'bench-ingest').admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const tb = await createTestbed(1);
  const work = mkdtempSync(path.join(os.tmpdir(), 'pyro-bench-ingest-'));
  chmodSync(work, 0o755);
  try {
    const h = tb.hosts[0]!;
    const inventory = path.join(work, 'cluster.yaml');
    writeFileSync(
      inventory,
      `cluster: { name: bench-ingest }
defaults:
  ssh: { user: root, identity: ${tb.identity} }
hosts:
  - { name: h1, address: ${h.address}, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker, flume] }
services:
  hdfs: { replication: 1, namenode: { heap: 256m }, datanode: { heap: 256m } }
  yarn: { resourcemanager: { heap: 256m }, nodemanager: { heap: 256m, memoryMb: 1024, vcores: 1 } }
  kafka: { controller: { heap: 256m }, broker: { heap: 512m }, config: { server.properties: { offsets.topic.replication.factor: 1 } } }
  flume:
    heap: 512m${BATCH}${extraSinks(SINKS).replaceAll('${BROKERS}', `${h.address}:9092`)}
    sources:
      - { name: bench, type: taildir, topic: flume-in, paths: [${LOG_DIR}/*.log], createDir: true, channel: ${CHANNEL} }
topics:
  - { name: flume-in, partitions: 3, replicationFactor: 1 }
  - { name: kcat-in, partitions: 3, replicationFactor: 1 }
`,
    );
    const state = path.join(work, 'state');
    mkdirSync(path.join(state, 'clusters', 'bench-ingest'), { recursive: true });
    copyFileSync(tb.knownHosts, path.join(state, 'clusters', 'bench-ingest', 'known_hosts'));
    const up = await execa(PYRO, ['up', '-i', inventory], { env: { PYRO_STATE_DIR: state, NO_COLOR: '1' }, reject: false, stdin: 'ignore' });
    if (up.exitCode !== 0) throw new Error(`pyro up failed:\n${up.stdout}\n${up.stderr}`);

    // The same lines for both: written once on the control machine (/tmp is shared with the simulated host).
    const file = path.join(work, 'lines.log');
    const out = createWriteStream(file);
    const now = Date.now();
    for (let n = 1; n <= LINES; n++) if (!out.write(`${accessLogLine(n, now).line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    await new Promise<void>((r) => out.end(r));
    const brokers = [`${h.address}:9092`];

    const k0 = process.hrtime.bigint();
    const kcat = await execa('kcat', ['-P', '-b', brokers[0]!, '-t', 'kcat-in', '-X', 'acks=all', '-l', file], { reject: false });
    const kcatSec = Number(process.hrtime.bigint() - k0) / 1e9;
    if (kcat.exitCode !== 0) throw new Error(`kcat failed: ${kcat.stderr}`);
    const kcatCount = await endOffsets(brokers, 'kcat-in');

    // Copied beside under a name the glob does not match, then renamed in: the agent sees the whole file at once.
    await tb.ssh('h1', `cp ${file} ${LOG_DIR}/.incoming && sync`);
    const f0 = process.hrtime.bigint();
    await tb.ssh('h1', `mv ${LOG_DIR}/.incoming ${LOG_DIR}/access.log`);
    let flumeCount = 0;
    const deadline = Date.now() + 600_000;
    while (flumeCount < LINES && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      flumeCount = await endOffsets(brokers, 'flume-in');
    }
    const flumeSec = Number(process.hrtime.bigint() - f0) / 1e9;
    if (flumeCount < LINES) throw new Error(`Flume delivered ${flumeCount} of ${LINES} lines in ${flumeSec.toFixed(0)} s`);

    const kcatRate = LINES / kcatSec;
    const flumeRate = LINES / flumeSec;
    console.log(`${LINES} lines (${(Buffer.byteLength(accessLogLine(1, now).line) + 1) * LINES} bytes approx.), acks=all both ways`);
    console.log(`kcat -P: ${kcatSec.toFixed(2)} s, ${kcatRate.toFixed(0)} lines/s (${kcatCount} in kcat-in)`);
    console.log(`flume (${CHANNEL} channel):   ${flumeSec.toFixed(2)} s, ${flumeRate.toFixed(0)} lines/s (${flumeCount} in flume-in)`);
    console.log(`ingest-ratio: ${(flumeRate / kcatRate).toFixed(2)}`);
  } finally {
    await execa(PYRO, ['down', '-i', path.join(work, 'cluster.yaml')], { env: { PYRO_STATE_DIR: path.join(work, 'state') }, reject: false, stdin: 'ignore' });
    await tb.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
