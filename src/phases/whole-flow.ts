import { randomBytes } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { kafkaClient } from '../clients/kafka-admin.js';
import { errorText } from '../clients/http.js';
import { MODULES } from '../services/catalog.js';
import { NotSendable, type IngestPath, type Probe } from '../services/ingest-path.js';
import { bootstrapServers } from '../services/kafka/endpoints.js';
import { jobsReading, probesSeen, PROBES_TABLE } from '../services/spark/jobs/probes.js';
import { probeChart, type ProbeChart } from '../services/superset/probes-chart.js';
import { supersetInstance } from '../services/superset/registry.js';
import { hostOf, probeContext, sleep, type Session } from './session.js';

// The whole-flow check: one tagged record down every ingestion path, followed into Kafka, through the streaming job
// into the serving table, and out through Superset's chart-data API. Each hop is polled from this machine, so a
// latency is the time from the send to the first poll that saw the record there: no host clocks are compared.

/**
 * Retries while the cluster says it is settling (a partition's leader just moved, or a topic `up` has just created
 * has no leader yet): kafkajs marks those errors retriable, but its admin's offset calls give up on the first.
 */
async function whileLeadersSettle<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (e) {
      if (!(e as { retriable?: boolean }).retriable || Date.now() > end) throw e;
      await sleep(500);
    }
  }
}

export interface Hop {
  /** `kafka access-log`, `job page-views`, `superset pyro_probes`. */
  name: string;
  reached: boolean;
  /** Seconds from the send until it was seen there. */
  seconds?: number;
  /** Why it was not reached, or why the hop was not followed. */
  detail?: string;
}

export interface PathCheck {
  path: string;
  host: string;
  topic: string;
  probe: string;
  ok: boolean;
  hops: Hop[];
  /** The first hop the record did not reach. */
  missed?: string;
  /** What the check did not follow, and why (e.g. no job reads the topic). */
  endsAt?: string;
}

export interface WholeFlow {
  ok: boolean;
  seconds: number;
  paths: PathCheck[];
}

interface Tracked {
  path: IngestPath;
  probe: Probe;
  sentAt?: number;
  sendError?: string;
  /** Why it was not sent (nothing to send it through yet): reported, not a failure. */
  notSent?: string;
  kafkaAt?: number;
  jobAt?: number;
  job?: string;
  supersetAt?: number;
  /** Jobs that read its topic (the job hop is followed only then). */
  jobs: string[];
}

/** Every path the inventory's services declare. */
export function ingestPaths(s: Pick<Session, 'inv'>): IngestPath[] {
  return MODULES.flatMap((m) => m.ingestPaths?.(s.inv) ?? []);
}

/** Starts reading the topics from their current ends, before anything is sent; resolves once positioned. */
async function watchTopics(brokers: string[], topics: string[], onRecord: (topic: string, value: string) => void): Promise<Consumer> {
  const kafka = kafkaClient(brokers, 'pyro-verify');
  const groupId = `pyro-verify-${randomBytes(6).toString('hex')}`;
  // A new group starts where the topics end now: set before it joins, so nothing sent after this is missed. Each
  // try has a client of its own: kafkajs keeps a stale leader in its metadata after NOT_LEADER.
  await whileLeadersSettle(async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
      }
    } finally {
      await admin.disconnect();
    }
  });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 });
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({ autoCommit: false, eachMessage: async ({ topic, message }) => onRecord(topic, message.value?.toString('utf8') ?? '') });
  await joined;
  return consumer;
}

/** The check's verdict for one path, from what was seen. */
function verdict(t: Tracked, timedOut: boolean, jobProblem: string | undefined, chartProblem: string | undefined, withSuperset: boolean): PathCheck {
  const secs = (at?: number) => (at === undefined || t.sentAt === undefined ? undefined : Math.max(0, (at - t.sentAt) / 1000));
  const hops: Hop[] = [];
  const base = { path: t.path.label, host: t.path.host, topic: t.path.topic, probe: t.probe.id };
  if (t.notSent) return { ...base, ok: true, hops, endsAt: `not checked: ${t.notSent}` };
  if (t.sendError) {
    hops.push({ name: `send (${t.path.label})`, reached: false, detail: t.sendError });
    return { ...base, ok: false, hops, missed: hops[0]!.name };
  }
  hops.push({ name: `kafka ${t.path.topic}`, reached: t.kafkaAt !== undefined, seconds: secs(t.kafkaAt) });
  let endsAt: string | undefined;
  if (!t.path.parsed) endsAt = `the record is not one the jobs parse (${t.path.label}): followed into Kafka only`;
  else if (!t.jobs.length) endsAt = `no declared job reads ${t.path.topic}: followed into Kafka only`;
  else {
    hops.push({
      name: `job ${t.job ?? t.jobs.join('|')} -> ${PROBES_TABLE}`,
      reached: t.jobAt !== undefined,
      seconds: secs(t.jobAt),
      detail: t.jobAt === undefined ? jobProblem : undefined,
    });
    if (withSuperset) {
      hops.push({
        name: `superset chart-data ${PROBES_TABLE}`,
        reached: t.supersetAt !== undefined,
        seconds: secs(t.supersetAt),
        detail: t.supersetAt === undefined ? chartProblem : undefined,
      });
    } else endsAt = 'no host runs superset: followed into the serving table';
  }
  const missed = hops.find((h) => !h.reached);
  if (missed && !missed.detail) missed.detail = timedOut ? 'not seen before the check timed out' : 'not seen';
  return { ...base, ok: !missed, hops, missed: missed?.name, endsAt };
}

/**
 * Sends a tagged record down every declared ingestion path and follows each until it has passed every hop, or
 * until `timeoutSec`. Paths are sent in parallel, hops polled every `pollMs`.
 */
export async function checkWholeFlow(s: Session, opts: { timeoutSec?: number; pollMs?: number; log?: (line: string) => void } = {}): Promise<WholeFlow> {
  const t0 = Date.now();
  const paths = ingestPaths(s);
  if (!paths.length) return { ok: true, seconds: 0, paths: [] };
  const run = randomBytes(4).toString('hex');
  const tracked: Tracked[] = paths.map((p, i) => ({ path: p, probe: { id: `${run}-${i + 1}`, ts: Date.now() }, jobs: jobsReading(s.inv, p.topic) }));
  const byId = new Map(tracked.map((t) => [t.probe.id, t]));
  const topics = [...new Set(paths.map((p) => p.topic))];
  const consumer = await watchTopics(bootstrapServers(s.inv), topics, (topic, value) => {
    for (const t of tracked) if (t.kafkaAt === undefined && t.path.topic === topic && value.includes(t.probe.id)) t.kafkaAt = Date.now();
  });
  const withSuperset = Boolean(supersetInstance(s.inv));
  let chart: ProbeChart | undefined;
  let jobProblem: string | undefined;
  let chartProblem: string | undefined;
  const deadline = t0 + (opts.timeoutSec ?? 90) * 1000;
  try {
    await Promise.all(
      tracked.map(async (t) => {
        t.probe.ts = Date.now();
        t.sentAt = t.probe.ts;
        try {
          await t.path.send(t.probe, hostOf(s, t.path.host), s.signal);
        } catch (e) {
          if (e instanceof NotSendable) t.notSent = e.message;
          else t.sendError = errorText(e);
        }
      }),
    );
    const open = () => tracked.filter((t) => !t.sendError && !t.notSent && !done(t));
    const done = (t: Tracked) =>
      t.kafkaAt !== undefined && (!t.path.parsed || !t.jobs.length || (t.jobAt !== undefined && (!withSuperset || t.supersetAt !== undefined)));
    while (open().length && Date.now() < deadline && !s.signal.aborted) {
      await sleep(opts.pollMs ?? 500, s.signal);
      const followed = open().filter((t) => t.path.parsed && t.jobs.length && t.jobAt === undefined);
      if (followed.length) {
        try {
          const r = await probesSeen(
            probeContext(s),
            followed.map((t) => t.probe.id),
          );
          jobProblem = r.problem;
          for (const [id, seen] of r.seen) {
            const t = byId.get(id)!;
            t.jobAt ??= Date.now();
            t.job = seen.job;
          }
        } catch (e) {
          jobProblem = `reading ${PROBES_TABLE}: ${errorText(e)}`;
        }
      }
      const shown = withSuperset ? open().filter((t) => t.jobAt !== undefined && t.supersetAt === undefined) : [];
      if (shown.length) {
        try {
          chart ??= await probeChart(s.inv, s.secrets);
          const r = await chart.read(shown.map((t) => t.probe.id));
          chartProblem = r.problem;
          for (const id of r.seen) if (byId.has(id)) byId.get(id)!.supersetAt ??= Date.now();
        } catch (e) {
          chartProblem = errorText(e);
        }
      }
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  const timedOut = Date.now() >= deadline;
  const checks = tracked.map((t) => verdict(t, timedOut, jobProblem, chartProblem, withSuperset));
  return { ok: checks.every((c) => c.ok), seconds: (Date.now() - t0) / 1000, paths: checks };
}

/** Lines for a terminal: per path, each hop with its latency, or the first hop missed and why. */
export function wholeFlowLines(w: WholeFlow): string[] {
  if (!w.paths.length) return ['no ingestion paths are declared (flume sources, nifi flows): nothing to follow'];
  return w.paths.flatMap((p) => {
    const hops = p.hops.map((h) => (h.reached ? `${h.name} ${h.seconds!.toFixed(1)} s` : `${h.name}: NOT REACHED${h.detail ? ` (${h.detail})` : ''}`));
    const head = `${!p.ok ? 'FAIL' : p.hops.length ? 'ok  ' : 'skip'} ${p.path} -> ${p.topic} [probe ${p.probe}]`;
    return [
      head,
      ...hops.map((h) => `       ${h}`),
      ...(p.endsAt ? [`       (${p.endsAt})`] : []),
      ...(p.missed ? [`       first hop missed: ${p.missed}`] : []),
    ];
  });
}
