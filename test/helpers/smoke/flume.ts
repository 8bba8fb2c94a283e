import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { FLUME_MAIN } from '../../../src/artifacts/recipes/flume.js';
import { shellQuote, type Host } from '../../../src/hosts/host.js';
import {
  assertPortsFree,
  consumeUntil,
  daemonAlive,
  ensureTopic,
  javaBin,
  run,
  startDaemon,
  stopDaemon,
  tailFiles,
  tcpOpen,
  waitFor,
  type SmokeOptions,
} from './kafka.js';

export const FLUME_NETCAT_PORT = 44444;
export const FLUME_MONITORING_PORT = 34545;
const FLUME_MARKER = FLUME_MAIN;
const q = shellQuote;

/** Agent config: netcat source on ADDRESS -> memory channel -> Kafka sink writing to `topic`. */
export function flumeAgentConfig(address: string, bootstrap: string, topic: string): string {
  return `agent.sources = netcat
agent.channels = memory
agent.sinks = kafka

agent.sources.netcat.type = netcat
agent.sources.netcat.bind = ${address}
agent.sources.netcat.port = ${FLUME_NETCAT_PORT}
agent.sources.netcat.channels = memory

agent.channels.memory.type = memory
agent.channels.memory.capacity = 1000
agent.channels.memory.transactionCapacity = 100

agent.sinks.kafka.type = org.apache.flume.sink.kafka.KafkaSink
agent.sinks.kafka.channel = memory
agent.sinks.kafka.kafka.bootstrap.servers = ${bootstrap}
agent.sinks.kafka.kafka.topic = ${topic}
agent.sinks.kafka.flumeBatchSize = 1
agent.sinks.kafka.kafka.producer.acks = all
agent.sinks.kafka.kafka.producer.linger.ms = 0
`;
}

type Metrics = Record<string, Record<string, string>>;

/** GET http://address:port/metrics (Flume's HTTP monitoring: JSON of counters per component). */
async function metrics(address: string): Promise<Metrics> {
  const res = await fetch(`http://${address}:${FLUME_MONITORING_PORT}/metrics`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`/metrics answered HTTP ${res.status}`);
  return (await res.json()) as Metrics;
}

/** Sends one line to the netcat source and returns its reply ("OK" per accepted event). */
function sendLine(address: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: address, port: FLUME_NETCAT_PORT });
    let reply = '';
    s.setTimeout(10_000, () => {
      s.destroy();
      reject(new Error(`netcat source: no reply within 10 s (got ${JSON.stringify(reply)})`));
    });
    s.once('connect', () => s.write(`${line}\n`));
    s.on('data', (c: Buffer) => {
      reply += c.toString('utf8');
      if (reply.includes('\n')) {
        s.end();
        resolve(reply.trim());
      }
    });
    s.once('error', reject);
  });
}

/**
 * Runs a Flume agent from the unpacked tree `root` on `host` (netcat source, memory channel, Kafka sink into a
 * topic on the Kafka at `kafkaBootstrap`, which must be running), sends one line to the source, reads it back
 * from the topic with kafkajs, reads the sink's counters from the agent's HTTP monitoring, and stops the agent.
 */
export async function smokeFlume(host: Host, root: string, opts: SmokeOptions, kafkaBootstrap: string): Promise<string> {
  const w = opts.workDir;
  const logs = `${w}/logs`;
  const conf = `${w}/agent.conf`;
  const pidFile = `${w}/flume.pid`;
  const outFile = `${logs}/flume.out`;
  const topic = 'pyro-flume-smoke';
  const logTail = () => tailFiles(host, [`${logs}/flume.log`, outFile]);
  const stop = () => stopDaemon(host, pidFile, FLUME_MARKER);

  await assertPortsFree(opts.address, [FLUME_NETCAT_PORT, FLUME_MONITORING_PORT], 'Flume');
  await run(host, `mkdir -p ${q(logs)}`);
  await host.writeFile(conf, flumeAgentConfig(opts.address, kafkaBootstrap, topic));
  await ensureTopic(kafkaBootstrap, topic).catch((e: Error) => {
    throw new Error(`Flume smoke needs a running Kafka at ${kafkaBootstrap} (start it with startKafka): ${e.message}`);
  });
  const java = javaBin(opts);
  const facts = await run(
    host,
    `echo "$(${q(java)} -version 2>&1 | head -n 1)"; ls ${q(root)}/lib | sed -n 's/^flume-ng-core-\\(.*\\)\\.jar$/\\1/p;s/^kafka-clients-\\(.*\\)\\.jar$/kafka-clients \\1/p'`,
  );
  const [javaLine = '', ...jars] = facts.trim().split('\n');
  const version = jars.find((l) => !l.startsWith('kafka-clients')) ?? '?';
  const clients = jars.find((l) => l.startsWith('kafka-clients')) ?? 'kafka-clients ?';

  // The official log4j2.xml writes to ./flume.log and ours to ${flume.log.dir}/flume.log: run in the log dir.
  await startDaemon(host, {
    cwd: logs,
    outFile,
    pidFile,
    argv: [
      java,
      '-Xms256m',
      '-Xmx256m',
      '-Dflume.monitoring.type=http',
      `-Dflume.monitoring.port=${FLUME_MONITORING_PORT}`,
      `-Dlog4j2.configurationFile=${root}/conf/log4j2.xml`,
      `-Dflume.log.dir=${logs}`,
      '-cp',
      `${root}/conf:${root}/lib/*`,
      FLUME_MARKER,
      '-n',
      'agent',
      '-f',
      conf,
    ],
  });
  try {
    const alive = () => daemonAlive(host, pidFile, FLUME_MARKER);
    // Up: the source listens and the monitoring server lists the sink.
    await waitFor(
      'agent start',
      async () => ((await tcpOpen(opts.address, FLUME_NETCAT_PORT)) && (await metrics(opts.address))['SINK.kafka'] ? true : undefined),
      { timeoutMs: 90_000, alive },
    );
    const line = `pyro flume smoke ${randomBytes(6).toString('hex')}`;
    const reply = await sendLine(opts.address, line);
    if (reply !== 'OK') throw new Error(`netcat source answered ${JSON.stringify(reply)} instead of OK`);
    const got = await consumeUntil(kafkaBootstrap, topic, (v) => v === line);
    const sink = await waitFor(
      'sink counters',
      async () => {
        const s = (await metrics(opts.address))['SINK.kafka'];
        return s && Number(s.EventDrainSuccessCount) >= 1 ? s : undefined;
      },
      { timeoutMs: 30_000, alive },
    );
    const counters = ['EventDrainAttemptCount', 'EventDrainSuccessCount', 'BatchCompleteCount', 'RollbackCount'].map((k) => `${k}=${sink[k] ?? '?'}`).join(' ');
    return `Flume ${version} (${clients}, ${javaLine}) agent up; netcat line -> memory channel -> KafkaSink -> topic ${topic}, read back with kafkajs at ${got.partition}/${got.offset}; GET /metrics SINK.kafka ${counters}`;
  } catch (e) {
    throw new Error(`Flume on ${host.name}: ${(e as Error).message}\n${await logTail()}`, { cause: e });
  } finally {
    await stop();
  }
}
