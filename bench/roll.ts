// bench/roll: a rolling restart of the three brokers (`pyro restart kafka-broker`) under a steady 2,000 msg/s with
// acks=all, against the same load without the roll, in the same run. The load is Kafka's own VerifiableProducer
// (the Java client, from the distribution pyro runs), which reports each record it saw acknowledged; kcat then
// reads the topic from beginning to end and every acknowledged record is looked for.
// A record's latency runs from when the load meant to send it (start + n / rate: a stalled producer does not hide
// its stall) to its acknowledgement.
// Last lines: `roll-lost-messages: N` (goal 0) and `roll-p99-ratio: X` = p99 during the roll / p99 without it
// (goal <= 3).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { loadInventory } from '../src/services/catalog.js';
import { produceEvents } from '../src/produce/generator.js';
import { bootstrapServers } from '../src/services/kafka/endpoints.js';
import { controlTree } from '../src/services/spark/jobs/spark-home.js';
import { threeHostInventory } from '../test/helpers/stack-inventory.js';
import { benchCluster, percentile } from './lib/cluster.js';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const BASELINE_SEC = Number(process.env.BENCH_BASELINE_SECONDS ?? 30);
const TOPIC = 'roll';
/** Also run pyro's own generator (kafkajs) at this rate during the roll, and look for what it saw acknowledged. */
const PYRO_RATE = Number(process.env.BENCH_PYRO_RATE ?? 0);

interface Load {
  acked: Set<string>;
  latencies: number[];
  errors: number;
}

/** What VerifiableProducer printed: acknowledged values, their latencies from their intended send time, errors. */
function parseLoad(stdout: string): Load {
  const out: Load = { acked: new Set(), latencies: [], errors: 0 };
  let start: number | undefined;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { name: string; timestamp: number; value?: string };
    if (e.name === 'startup_complete') start = e.timestamp;
    else if (e.name === 'producer_send_error') out.errors++;
    else if (e.name === 'producer_send_success' && e.value !== undefined && start !== undefined) {
      out.acked.add(e.value);
      const n = Number(e.value.slice(e.value.indexOf('.') + 1));
      out.latencies.push(Math.max(0, e.timestamp - (start + (n / RATE) * 1000)));
    }
  }
  return out;
}

async function main(): Promise<void> {
  const c = await benchCluster({
    cluster: 'bench-roll',
    inventory: (tb, cluster) =>
      threeHostInventory(tb, cluster, [[], [], []], `  - { name: ${TOPIC}, partitions: 3, replicationFactor: 3, config: { min.insync.replicas: 2 } }\n`),
  });
  try {
    await c.pyro(['up']);
    const { inventory: inv } = await loadInventory(c.inventory);
    const brokers = bootstrapServers(inv).join(',');
    const kafka = await controlTree(inv, 'kafka');
    const producer = (prefix: number, max: number) =>
      execa(
        'java',
        [
          '-Xmx512m',
          `-Dlog4j2.configurationFile=${path.join(kafka, 'config', 'tools-log4j2.yaml')}`,
          '-cp',
          `${path.join(kafka, 'libs')}/*`,
          'org.apache.kafka.tools.VerifiableProducer',
          '--topic',
          TOPIC,
          '--bootstrap-server',
          brokers,
          '--throughput',
          String(RATE),
          '--acks',
          '-1',
          '--max-messages',
          String(max),
          '--value-prefix',
          String(prefix),
        ],
        { stdin: 'ignore', reject: false, maxBuffer: 1024 * 1024 * 1024 },
      );
    // Warm-up (connections, metadata, JIT), then the baseline: the same load, no roll.
    await producer(0, RATE * 5);
    const base = parseLoad(String((await producer(1, RATE * BASELINE_SEC)).stdout));
    const during = producer(2, 100_000_000);
    const stopPyro = new AbortController();
    const record = path.join(path.dirname(c.inventory), 'pyro-produce.ndjson');
    const pyroLoad = PYRO_RATE
      ? produceEvents({ brokers: bootstrapServers(inv), topic: TOPIC, rate: PYRO_RATE, seconds: 3600, firstId: 1_000_000_000, record, signal: stopPyro.signal })
      : undefined;
    await new Promise((r) => setTimeout(r, 3000));
    const t0 = Date.now();
    const restart = await c.pyro(['restart', 'kafka-broker']);
    const rollSec = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 3000));
    during.kill('SIGTERM');
    stopPyro.abort();
    await pyroLoad;
    const rolled = parseLoad(String((await during).stdout));

    const want = new Set([...base.acked, ...rolled.acked]);
    const read = await execa('kcat', ['-C', '-b', brokers, '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%s\\n'], {
      stdin: 'ignore',
      maxBuffer: 512 * 1024 * 1024,
    });
    const seen = new Set(
      String(read.stdout)
        .split('\n')
        .filter((v) => want.has(v)),
    );
    const lost = [...want].filter((v) => !seen.has(v));
    if (PYRO_RATE) {
      const ids = readFileSync(record, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { id: number }).id);
      const written = new Set(
        String(read.stdout)
          .split('\n')
          .filter((v) => v.startsWith('{'))
          .map((v) => (JSON.parse(v) as { id: number }).id),
      );
      const missing = ids.filter((id) => !written.has(id)).length;
      console.log(`pyro produce (kafkajs) at ${PYRO_RATE}/s during the roll: ${ids.length} acknowledged, ${missing} of them not in the topic`);
    }

    const p99Base = percentile(base.latencies, 0.99);
    const p99Roll = percentile(rolled.latencies, 0.99);
    const rolls = restart.stdout.split('\n').filter((l) => /rolling restart:/.test(l)).length;
    console.log(`load: Kafka's VerifiableProducer at ${RATE} msg/s, acks=all; topic ${TOPIC}: 3 partitions, replication 3, min.insync.replicas 2`);
    console.log(
      `baseline ${BASELINE_SEC} s: ${base.acked.size} acknowledged, ${base.errors} errors; p50 ${percentile(base.latencies, 0.5)} ms, p99 ${p99Base} ms`,
    );
    console.log(
      `roll ${rollSec.toFixed(1)} s (${rolls} brokers, one at a time, each behind the gate): ${rolled.acked.size} acknowledged, ${rolled.errors} errors (reported to the producer, not acknowledged); p50 ${percentile(rolled.latencies, 0.5)} ms, p99 ${p99Roll} ms, max ${rolled.latencies.reduce((a, b) => Math.max(a, b), 0)} ms`,
    );
    console.log(`kcat read back ${seen.size} of ${want.size} acknowledged records${lost.length ? `; missing e.g. ${lost.slice(0, 5).join(', ')}` : ''}`);
    console.log(`roll-lost-messages: ${lost.length}`);
    console.log(`roll-p99-ratio: ${(p99Roll / Math.max(1, p99Base)).toFixed(2)}`);
  } finally {
    await c.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
