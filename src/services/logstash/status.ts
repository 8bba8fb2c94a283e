import { errorText } from '../../clients/http.js';
import type { ServiceInstance } from '../../inventory/types.js';
import type { ComponentSummary } from '../definition.js';
import { orError, type ProbeContext } from '../runtime.js';
import { LOGSTASH } from './endpoints.js';
import { apiBase, declaredStates, fetchApi, type FlowRate, type LogstashApi, type PipelineState } from './monitoring-api.js';
import { logstashSettingsOf } from './settings.js';

/** A persisted queue fuller than this is a problem: Kafka does not keep up, and inputs block once it is full. */
export const QUEUE_FULL_PERCENT = 90;

/** Where a pipeline's events wait: its queue (persisted: on disk), or for a memory queue the events in flight. */
export interface QueueReport {
  type: 'memory' | 'persisted';
  /** persisted: unread events on disk; memory: events taken in and not yet out (in the queue or in a worker). */
  events: number;
  /** persisted: bytes used of queue.max_bytes; memory: in flight of workers × batch size. Null when unknown. */
  fillPercent: number | null;
}

export interface PipelineReport {
  pipeline: string;
  /** `running`, or why not: `failed to start: ...`, `not started yet`, `stopped`. */
  state: string;
  topic: string;
  /** Events per second taken in and sent on (Logstash's flow metrics, its current window); null until measured. */
  inPerSecond: number | null;
  outPerSecond: number | null;
  /** Since the pipeline started. */
  eventsIn: number;
  eventsOut: number;
  queue: QueueReport | null;
  errors: {
    /** Events a filter could not handle (grok, date: `failures`), tagged and passed on, not dropped. */
    filterFailures: number;
    /** Attempts to start the pipeline that failed since Logstash started. */
    startFailures: number;
    /** When dead_letter_queue.enable is on: what it holds and what it had to drop. */
    deadLetter: { bytes: number; dropped: number; expired: number } | null;
  };
}

export interface InstanceReport {
  host: string;
  url: string;
  pipelines: PipelineReport[];
  /** Declared pipelines that are not running, as `pipeline web failed to start: ...`. */
  notRunning: string[];
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const rate = (r: FlowRate | undefined): number | null => r?.current ?? r?.last_1_minute ?? r?.lifetime ?? null;
const pct = (part: number, whole: number | undefined): number | null => (whole && whole > 0 ? (100 * part) / whole : null);

function queueOf(s: PipelineState): QueueReport | null {
  const q = s.stats?.queue;
  if (!q) return null;
  if (q.type === 'persisted')
    return { type: 'persisted', events: num(q.events_count), fillPercent: pct(num(q.queue_size_in_bytes), q.max_queue_size_in_bytes) };
  const inFlight = Math.max(0, num(s.stats?.events?.in) - num(s.stats?.events?.out));
  const capacity = s.node?.workers && s.node.batch_size ? s.node.workers * s.node.batch_size : undefined;
  return { type: 'memory', events: inFlight, fillPercent: pct(inFlight, capacity) };
}

/** A Logstash's declared pipelines read from its captured monitoring API. */
export function instanceReport(inst: ServiceInstance, api: LogstashApi): InstanceReport {
  const topics = new Map(logstashSettingsOf(inst).pipelines.map((p) => [p.name, p.output.kafka?.topic ?? '?']));
  const states = declaredStates(inst, api);
  const pipelines = states.map((s): PipelineReport => {
    const dlq = s.stats?.dead_letter_queue;
    return {
      pipeline: s.name,
      state: s.why ?? 'running',
      topic: topics.get(s.name)!,
      inPerSecond: rate(s.stats?.flow?.input_throughput),
      outPerSecond: rate(s.stats?.flow?.output_throughput),
      eventsIn: num(s.stats?.events?.in),
      eventsOut: num(s.stats?.events?.out),
      queue: queueOf(s),
      errors: {
        filterFailures: (s.stats?.plugins?.filters ?? []).reduce((n, f) => n + num(f.failures), 0),
        startFailures: num(s.stats?.reloads?.failures),
        deadLetter: dlq ? { bytes: num(dlq.queue_size_in_bytes), dropped: num(dlq.dropped_events), expired: num(dlq.expired_events) } : null,
      },
    };
  });
  const notRunning = states.filter((s) => !s.running).map((s) => `pipeline ${s.name} ${s.why}`);
  return { host: inst.host.name, url: apiBase(inst), pipelines, notRunning };
}

const perSecond = (n: number | null) => (n === null ? '?/s' : `${n.toFixed(1)}/s`);
const fill = (q: QueueReport | null) =>
  q === null
    ? 'queue ?'
    : `${q.type} queue ${q.fillPercent === null ? '?' : `${q.fillPercent.toFixed(1)}%`} (${q.events} ${q.type === 'persisted' ? 'unread' : 'in flight'})`;

function pipelineLine(p: PipelineReport): string {
  if (p.state !== 'running') return `${p.pipeline} (-> ${p.topic}) ${p.state}`;
  const dlq = p.errors.deadLetter ? `, dead letters ${p.errors.deadLetter.bytes} B (${p.errors.deadLetter.dropped} dropped)` : '';
  return `${p.pipeline} (-> ${p.topic}) ${perSecond(p.inPerSecond)} in, ${perSecond(p.outPerSecond)} out, ${fill(p.queue)}, ${p.errors.filterFailures} filter failures${dlq}`;
}

/** Logstash in `pyro status` from each instance's report (or why it could not be read): a line each, problems. */
export function logstashSummary(instances: readonly (InstanceReport | { host: string; url: string; error: string })[]): ComponentSummary {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const i of instances) {
    if ('error' in i) {
      problems.push(`Logstash on ${i.host}: ${i.error}`);
      lines.push(`Logstash  ${i.host}: unreachable: ${i.error}`);
      continue;
    }
    for (const what of i.notRunning) problems.push(`Logstash on ${i.host}: ${what}`);
    for (const p of i.pipelines) {
      if (p.queue?.type === 'persisted' && p.queue.fillPercent !== null && p.queue.fillPercent > QUEUE_FULL_PERCENT)
        problems.push(`Logstash on ${i.host}: pipeline ${p.pipeline}'s persisted queue is ${p.queue.fillPercent.toFixed(1)}% full (Kafka is not keeping up)`);
      if (p.errors.deadLetter && p.errors.deadLetter.dropped > 0)
        problems.push(`Logstash on ${i.host}: pipeline ${p.pipeline} dropped ${p.errors.deadLetter.dropped} dead letters (its dead letter queue is full)`);
    }
    lines.push(`Logstash  ${i.host}: ${i.pipelines.map(pipelineLine).join('; ') || 'no pipelines declared'}`);
  }
  return { key: 'logstash', data: { instances }, lines, problems, ui: { 'Logstash API': instances.map((i) => i.url).join(', ') } };
}

/** Logstash in `pyro status`: each instance's pipelines from its monitoring API. */
export async function logstashStatus(_ctx: ProbeContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined> {
  const instances = managed.filter((i) => i.def.role === LOGSTASH);
  if (!instances.length) return undefined;
  const reports = await Promise.all(
    instances.map(async (inst) => {
      const r = await orError(async () => instanceReport(inst, await fetchApi(inst)), errorText);
      return 'error' in r ? { host: inst.host.name, url: apiBase(inst), error: r.error } : r;
    }),
  );
  return logstashSummary(reports);
}
