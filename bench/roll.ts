// bench/roll: a rolling restart of the three brokers (`pyro restart kafka-broker`) under a steady 2,000 msg/s with
// acks=all, against the same load without the roll, in the same run. Every acknowledged message is then looked for
// by a consumer reading the topic from the beginning.
// Last lines: `roll-lost-messages: N` (goal 0) and `roll-p99-ratio: X` = produce p99 during the roll / p99 without
// it (goal <= 3).
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { loadInventory } from '../src/services/catalog.js';
import { bootstrapServers } from '../src/services/kafka/endpoints.js';
import { threeHostInventory } from '../test/helpers/stack-inventory.js';
import { benchCluster, percentile } from './lib/cluster.js';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const BASELINE_SEC = Number(process.env.BENCH_BASELINE_SECONDS ?? 30);
const TICK_MS = 10;
const TOPIC = 'roll';

interface Load {
  acked: Set<string>;
  /** Per message: ms from its send to its acknowledgement (a batch's latency for each of its messages). */
  latencies: number[];
  failed: number;
}

/** Sends RATE messages a second (a batch per 10-ms tick) until `stop` resolves; a failed batch is counted, not retried. */
async function load(producer: Producer, prefix: string, stop: Promise<unknown>): Promise<Load> {
  const out: Load = { acked: new Set(), latencies: [], failed: 0 };
  let done = false;
  void stop.finally(() => (done = true));
  const t0 = Date.now();
  let made = 0;
  const inFlight = new Set<Promise<void>>();
  while (!done) {
    const due = Math.floor(((Date.now() - t0 + TICK_MS) / 1000) * RATE) - made;
    if (due > 0) {
      const values = Array.from({ length: due }, (_, k) => `${prefix}-${made + k}`);
      made += due;
      const sent = Date.now();
      const p = producer
        .send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ value })) })
        .then(() => {
          const ms = Date.now() - sent;
          for (const v of values) {
            out.acked.add(v);
            out.latencies.push(ms);
          }
        })
        .catch(() => {
          out.failed += values.length;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await Promise.all(inFlight);
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
    const kafka = new Kafka({ clientId: 'bench-roll', brokers: bootstrapServers(inv), logLevel: logLevel.NOTHING, retry: { retries: 10 } });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    const run = randomBytes(3).toString('hex');
    // Warm-up, then the baseline: the same load, no roll.
    await load(producer, `${run}-warm`, new Promise((r) => setTimeout(r, 5000)));
    const base = await load(producer, `${run}-base`, new Promise((r) => setTimeout(r, BASELINE_SEC * 1000)));
    const t0 = Date.now();
    const restart = c.pyro(['restart', 'kafka-broker']);
    const rolled = await load(producer, `${run}-roll`, restart);
    const rollSec = (Date.now() - t0) / 1000;
    const restartOut = await restart;
    await producer.disconnect();

    // Every acknowledged message, looked for by a consumer reading the topic from the beginning.
    const want = new Set([...base.acked, ...rolled.acked]);
    const seen = new Set<string>();
    const consumer = kafka.consumer({ groupId: `bench-roll-${run}` });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve) => {
      let idle = setTimeout(resolve, 30_000);
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const v = m.value?.toString();
            if (v && want.has(v)) seen.add(v);
          }
          clearTimeout(idle);
          idle = setTimeout(resolve, seen.size === want.size ? 0 : 15_000);
        },
      });
    });
    await consumer.disconnect();
    const lost = [...want].filter((v) => !seen.has(v)).length;

    const p99Base = percentile(base.latencies, 0.99);
    const p99Roll = percentile(rolled.latencies, 0.99);
    const rolls = restartOut.stdout.split('\n').filter((l) => /rolling restart:/.test(l)).length;
    console.log(`load: ${RATE} msg/s, acks=all, topic ${TOPIC} (3 partitions, replication 3, min.insync.replicas 2)`);
    console.log(
      `baseline ${BASELINE_SEC} s: ${base.acked.size} acknowledged, ${base.failed} failed; p50 ${percentile(base.latencies, 0.5)} ms, p99 ${p99Base} ms`,
    );
    console.log(
      `roll ${rollSec.toFixed(1)} s (${rolls} brokers, one at a time): ${rolled.acked.size} acknowledged, ${rolled.failed} failed (not acknowledged: the producer saw the error); p50 ${percentile(rolled.latencies, 0.5)} ms, p99 ${p99Roll} ms, max ${rolled.latencies.reduce((a, b) => Math.max(a, b), 0)} ms`,
    );
    console.log(`consumer: ${seen.size} of ${want.size} acknowledged messages read back`);
    console.log(`roll-lost-messages: ${lost}`);
    console.log(`roll-p99-ratio: ${(p99Roll / Math.max(1, p99Base)).toFixed(2)}`);
  } finally {
    await c.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
