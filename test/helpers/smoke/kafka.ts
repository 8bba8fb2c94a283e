import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { KAFKA_MAIN } from '../../../src/artifacts/recipes/kafka.js';
import { shellQuote, type Host } from '../../../src/hosts/host.js';

/** Where and how a smoke runs on a host. */
export interface SmokeOptions {
  /** Scratch dir on the host for config, data and logs (created). */
  workDir: string;
  /** JDK to launch with (default: `java` on the host's PATH). */
  javaHome?: string;
  /** The host's IP, bound and advertised. */
  address: string;
}

// ---- process helpers shared by the smokes in this directory -------------------------------------------------

const q = shellQuote;

/** The java launcher for `opts`. */
export function javaBin(opts: Pick<SmokeOptions, 'javaHome'>): string {
  return opts.javaHome ? `${opts.javaHome}/bin/java` : 'java';
}

/** Runs a sh script on the host and fails with its output when it exits non-zero. */
export async function run(host: Host, script: string, timeoutMs = 120_000): Promise<string> {
  const r = await host.exec(script, { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`on ${host.name}: exit ${r.exitCode}\n${r.stdout}${r.stderr}`.trimEnd());
  return r.stdout;
}

/**
 * Starts `argv` in the background in its own session (it survives the SSH channel), stdout/stderr to `outFile`,
 * its pid in `pidFile`. Returns the pid.
 */
export async function startDaemon(host: Host, d: { argv: string[]; cwd: string; outFile: string; pidFile: string }): Promise<number> {
  const out = await run(
    host,
    // The redirections cover the whole background subshell: a shell left holding the command's stdout would keep
    // an SSH channel open until the daemon exits.
    `(cd ${q(d.cwd)} && exec setsid nohup ${d.argv.map(q).join(' ')}) > ${q(d.outFile)} 2>&1 < /dev/null & echo $! > ${q(d.pidFile)}; cat ${q(d.pidFile)}`,
  );
  const pid = Number(out.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`on ${host.name}: no pid for ${d.argv.join(' ')}: ${out}`);
  return pid;
}

/** Whether the process in `pidFile` is alive and its command line contains `marker` (guards against pid reuse). */
export async function daemonAlive(host: Host, pidFile: string, marker: string): Promise<boolean> {
  const r = await host.exec(
    `pid=$(cat ${q(pidFile)} 2>/dev/null) && [ -n "$pid" ] && tr '\\0' ' ' < /proc/$pid/cmdline 2>/dev/null | grep -qF -- ${q(marker)}`,
  );
  return r.exitCode === 0;
}

/** SIGTERM, up to `graceSeconds` for a clean exit, then SIGKILL; removes the pid file. Safe to call twice. */
export async function stopDaemon(host: Host, pidFile: string, marker: string, graceSeconds = 30): Promise<void> {
  const loops = graceSeconds * 4;
  await run(
    host,
    `f=${q(pidFile)}; [ -f "$f" ] || exit 0; pid=$(cat "$f")
mine() { tr '\\0' ' ' < /proc/$pid/cmdline 2>/dev/null | grep -qF -- ${q(marker)}; }
if [ -n "$pid" ] && mine; then
  kill -TERM "$pid" 2>/dev/null; i=0
  while mine && [ $i -lt ${loops} ]; do sleep 0.25; i=$((i+1)); done
  if mine; then kill -KILL "$pid" 2>/dev/null; sleep 0.5; fi
fi
rm -f "$f"`,
    (graceSeconds + 15) * 1000,
  );
}

/** The last `lines` lines of each existing file, headed by its name. */
export async function tailFiles(host: Host, files: string[], lines = 30): Promise<string> {
  const r = await host.exec(`for f in ${files.map(q).join(' ')}; do [ -f "$f" ] && { echo "==> $f <=="; tail -n ${lines} "$f"; }; done; true`);
  return r.stdout.trimEnd() || '(no log written)';
}

/** Resolves when a TCP connection to host:port succeeds, false after `ms` without one. */
export function tcpOpen(host: string, port: number, ms = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(ms, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Fails when something already listens on one of the ports (a leftover would make the smoke lie). */
export async function assertPortsFree(address: string, ports: number[], what: string): Promise<void> {
  for (const p of ports) {
    if (await tcpOpen(address, p, 1000)) throw new Error(`${what}: port ${p} on ${address} is already in use; stop whatever listens there first`);
  }
}

/** Polls `probe` until it returns a value; fails early when `alive` says the process died. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  o: { timeoutMs: number; alive?: () => Promise<boolean>; intervalMs?: number },
): Promise<T> {
  const end = Date.now() + o.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (o.alive && !(await o.alive())) throw new Error(`${what}: the process exited${last ? ` (last probe error: ${(last as Error).message})` : ''}`);
    if (Date.now() > end) throw new Error(`${what}: not ready after ${o.timeoutMs / 1000} s${last ? ` (last probe error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
  }
}

// ---- Kafka ---------------------------------------------------------------------------------------------------

export const KAFKA_PORT = 9092;
export const KAFKA_CONTROLLER_PORT = 9093;
const KAFKA_MARKER = KAFKA_MAIN.broker;

/** A broker started by startKafka; `stop()` kills it (idempotent). */
export interface RunningKafka {
  bootstrap: string;
  /** Cluster id from meta.properties. */
  clusterId: string;
  /** Broker version (from the kafka_2.13-X.jar name) and the Java that runs it. */
  version: string;
  java: string;
  /** True when this start formatted the log dir (false when meta.properties was already there). */
  formatted: boolean;
  logTail(): Promise<string>;
  stop(): Promise<void>;
}

/** The broker's and the controller's ports (another test's Kafka may hold the defaults). */
export interface KafkaPorts {
  broker: number;
  controller: number;
}
const DEFAULT_PORTS: KafkaPorts = { broker: KAFKA_PORT, controller: KAFKA_CONTROLLER_PORT };

/** Combined-mode (broker+controller) KRaft settings for a one-node cluster on `address`. */
export function kafkaServerProperties(address: string, dataDir: string, ports: KafkaPorts = DEFAULT_PORTS): string {
  const p: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${address}:${ports.controller}`,
    listeners: `PLAINTEXT://${address}:${ports.broker},CONTROLLER://${address}:${ports.controller}`,
    'advertised.listeners': `PLAINTEXT://${address}:${ports.broker}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': 1,
    // One broker: every internal topic has one replica, or consumer groups never get a coordinator.
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
  };
  return `${Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/**
 * Starts a one-node KRaft Kafka from the unpacked tree `root` on `host`: writes server.properties into
 * opts.workDir, formats the log dir with StorageTool unless it has meta.properties, launches `kafka.Kafka`
 * (heap 512m) and waits until kafkajs gets a metadata answer from ADDRESS:9092 (or `o.ports`). Kills the broker on
 * failure. Started again on the same workDir, it keeps its data (no second format).
 */
export async function startKafka(host: Host, root: string, opts: SmokeOptions, o: { timeoutMs?: number; ports?: KafkaPorts } = {}): Promise<RunningKafka> {
  const ports = o.ports ?? DEFAULT_PORTS;
  const w = opts.workDir;
  const data = `${w}/data`;
  const logs = `${w}/logs`;
  const props = `${w}/server.properties`;
  const pidFile = `${w}/kafka.pid`;
  const outFile = `${logs}/kafka.out`;
  const java = javaBin(opts);
  const cp = `${root}/libs/*`;
  const bootstrap = `${opts.address}:${ports.broker}`;
  const logFiles = [`${logs}/server.log`, `${logs}/controller.log`, outFile, `${w}/format.log`];
  const logTail = () => tailFiles(host, logFiles);
  const stop = () => stopDaemon(host, pidFile, KAFKA_MARKER);

  await assertPortsFree(opts.address, [ports.broker, ports.controller], 'Kafka');
  await run(host, `mkdir -p ${q(data)} ${q(logs)}`);
  await host.writeFile(props, kafkaServerProperties(opts.address, data, ports));

  // Format once: a log dir that has meta.properties belongs to a cluster already.
  const tools = [`-Dlog4j2.configurationFile=${root}/config/tools-log4j2.yaml`, '-Xmx256m', '-cp', cp];
  const facts = await run(
    host,
    `set -e
echo "java=$(${q(java)} -version 2>&1 | head -n 1)"
echo "version=$(ls ${q(root)}/libs | sed -n 's/^kafka_2\\.13-\\(.*\\)\\.jar$/\\1/p' | head -n 1)"
if [ -f ${q(`${data}/meta.properties`)} ]; then echo state=existing; else
  id=$(${[java, ...tools, KAFKA_MAIN.storage, 'random-uuid'].map(q).join(' ')} 2>>${q(`${w}/format.log`)} | tail -n 1)
  ${[java, ...tools, KAFKA_MAIN.storage, 'format', '-t'].map(q).join(' ')} "$id" -c ${q(props)} >>${q(`${w}/format.log`)} 2>&1 || { cat ${q(`${w}/format.log`)}; exit 1; }
  echo state=formatted
fi
echo "cluster=$(sed -n 's/^cluster\\.id=//p' ${q(`${data}/meta.properties`)})"`,
    180_000,
  ).catch(async (e: Error) => {
    throw new Error(`Kafka on ${host.name}: formatting ${data} failed: ${e.message}\n${await logTail()}`);
  });
  const fact = (k: string) =>
    facts
      .split('\n')
      .find((l) => l.startsWith(`${k}=`))
      ?.slice(k.length + 1)
      .trim() ?? '';
  const [javaLine, version, clusterId] = [fact('java'), fact('version') || '?', fact('cluster')];
  const formatted = fact('state') === 'formatted';

  await startDaemon(host, {
    cwd: logs,
    outFile,
    pidFile,
    argv: [
      java,
      '-Xms512m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${root}/config/log4j2.yaml`,
      `-Dkafka.logs.dir=${logs}`,
      '-cp',
      cp,
      KAFKA_MAIN.broker,
      props,
    ],
  });
  try {
    await waitFor(
      `Kafka on ${host.name}`,
      async () => {
        if (!(await tcpOpen(opts.address, ports.broker))) return undefined;
        const admin = kafkaClient(bootstrap, 'pyro-smoke-ready').admin();
        try {
          await admin.connect();
          const c = await admin.describeCluster();
          return c.brokers.length > 0 ? c : undefined;
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      },
      { timeoutMs: o.timeoutMs ?? 120_000, alive: () => daemonAlive(host, pidFile, KAFKA_MARKER), intervalMs: 1000 },
    );
  } catch (e) {
    const tail = await logTail();
    await stop().catch(() => undefined);
    throw new Error(`${(e as Error).message}\n${tail}`, { cause: e });
  }
  return { bootstrap, clusterId, version, java: javaLine, formatted, logTail, stop };
}

/** A kafkajs client that fails fast and stays quiet (errors surface as exceptions). */
export function kafkaClient(bootstrap: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 15_000,
    retry: { retries: 3, initialRetryTime: 300 },
  });
}

/** Creates `topic` (1 partition, 1 replica) unless it exists. */
export async function ensureTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = kafkaClient(bootstrap, 'pyro-smoke-admin').admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Reads `topic` from the beginning with a fresh consumer group until a message satisfies `match`. */
export async function consumeUntil(
  bootstrap: string,
  topic: string,
  match: (value: string) => boolean,
  timeoutMs = 60_000,
): Promise<{ value: string; offset: string; partition: number }> {
  const consumer = kafkaClient(bootstrap, 'pyro-smoke-consumer').consumer({
    groupId: `pyro-smoke-${randomBytes(4).toString('hex')}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message on ${topic} within ${timeoutMs / 1000} s`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            const value = message.value?.toString('utf8') ?? '';
            if (match(value)) {
              clearTimeout(timer);
              resolve({ value, offset: message.offset, partition });
            }
          },
        })
        .catch((e: unknown) => {
          clearTimeout(timer);
          reject(e as Error);
        });
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/**
 * From the test side (kafkajs, not on the host): describeCluster, create a topic, produce one message and
 * consume it back. Returns what the broker answered.
 */
export async function probeKafka(bootstrap: string): Promise<string> {
  const admin = kafkaClient(bootstrap, 'pyro-smoke-admin').admin();
  await admin.connect();
  let cluster: Awaited<ReturnType<typeof admin.describeCluster>>;
  try {
    cluster = await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
  const topic = 'pyro-smoke';
  await ensureTopic(bootstrap, topic);
  const value = `pyro smoke ${randomBytes(6).toString('hex')}`;
  const producer = kafkaClient(bootstrap, 'pyro-smoke-producer').producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ value }] });
  } finally {
    await producer.disconnect();
  }
  const got = await consumeUntil(bootstrap, topic, (v) => v === value);
  const brokers = cluster.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(',');
  return `describeCluster: clusterId=${cluster.clusterId} brokers=[${brokers}] controller=${cluster.controller}; topic ${topic} created, message produced (acks=all) and consumed back at ${got.partition}/${got.offset}`;
}

/** Starts Kafka from `root` on `host`, checks it with kafkajs (metadata, topic, produce+consume), stops it. */
export async function smokeKafka(host: Host, root: string, opts: SmokeOptions): Promise<string> {
  const k = await startKafka(host, root, opts);
  try {
    const answer = await probeKafka(k.bootstrap);
    return `Kafka ${k.version} (KRaft, combined broker+controller, ${k.java}) ${k.formatted ? 'formatted and ' : ''}started; ${answer}`;
  } catch (e) {
    throw new Error(`Kafka on ${host.name} started but failed the client check: ${(e as Error).message}\n${await k.logTail()}`, { cause: e });
  } finally {
    await k.stop();
  }
}
