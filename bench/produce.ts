// bench/produce: pyro's event generator (kafkajs, acks=all) at full speed against Kafka's own
// kafka-producer-perf-test (org.apache.kafka.tools.ProducerPerformance from the same distribution) on the same
// three brokers and topic, with the same record size and acks, both in this run.
// Last line: `produce-ratio: X` = generator events/s / perf-test records/s (goal >= 0.5).
import path from 'node:path';
import { execa } from 'execa';
import { loadInventory } from '../src/services/catalog.js';
import { controlTree } from '../src/services/spark/jobs/spark-home.js';
import { produceEvents } from '../src/produce/generator.js';
import { bootstrapServers } from '../src/services/kafka/endpoints.js';
import { benchCluster } from './lib/cluster.js';

const COUNT = Number(process.env.BENCH_EVENTS ?? 200_000);

async function main(): Promise<void> {
  const c = await benchCluster();
  try {
    await c.pyro(['up']);
    const { inventory: inv } = await loadInventory(c.inventory);
    const brokers = bootstrapServers(inv);
    // Warm-up (connections, metadata, JIT on the brokers), then the measured run.
    await produceEvents({ brokers, topic: 'events', rate: 0, count: 20_000 });
    const gen = await produceEvents({ brokers, topic: 'events', rate: 0, count: COUNT });
    const recordSize = Math.round(gen.bytes / gen.sent);
    console.log(`generator: ${gen.sent} events of ${recordSize} B in ${gen.seconds.toFixed(1)} s = ${gen.eventsPerSecond.toFixed(0)} events/s (acks=all)`);

    const kafka = await controlTree(inv, 'kafka');
    const perf = await execa(
      'java',
      [
        '-Xmx512m',
        `-Dlog4j2.configurationFile=${path.join(kafka, 'config', 'tools-log4j2.yaml')}`,
        '-cp',
        `${path.join(kafka, 'libs')}/*`,
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic',
        'events',
        '--num-records',
        String(COUNT),
        '--record-size',
        String(recordSize),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${brokers.join(',')}`,
        'acks=all',
      ],
      { stdin: 'ignore', all: true },
    );
    const last =
      String(perf.all)
        .trim()
        .split('\n')
        .filter((l) => /records sent/.test(l))
        .at(-1) ?? '';
    const perfRate = Number(/([\d.]+) records\/sec/.exec(last)?.[1]);
    if (!perfRate) throw new Error(`no rate in the perf test's output:\n${perf.all}`);
    console.log(`kafka-producer-perf-test: ${last}`);
    console.log(`produce-ratio: ${(gen.eventsPerSecond / perfRate).toFixed(2)}`);
  } finally {
    await c.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
