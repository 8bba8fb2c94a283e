import { errorText } from '../../clients/http.js';
import type { ServiceInstance } from '../../inventory/types.js';
import type { ComponentSummary } from '../definition.js';
import { orError, type ProbeContext } from '../runtime.js';
import { chainsOf } from './components.js';
import { componentState, describeState, fetchMetrics, metricsUrl, metricValue, type FlumeMetrics } from './metrics.js';
import { FLUME } from './endpoints.js';

/** The interval `pyro status` measures the agents' rates over. */
export const RATE_SAMPLE_MS = 1000;

/** A channel fuller than this is a problem: its sink does not keep up, and sources block once it is full. */
export const CHANNEL_FULL_PERCENT = 90;

/** One declared source's chain as its agent counts it. */
export interface ChainReport {
  source: string;
  type: string;
  topic: string;
  received: number;
  accepted: number;
  channel: string;
  /** file: a file channel drained by a Kafka sink; kafka: a Kafka channel, which writes into the topic itself. */
  channelKind: 'file' | 'kafka';
  /** Null while the channel has no capacity yet (a file channel replaying its log reports none; a Kafka channel has none). */
  fillPercent: number | null;
  /** Events the sink (or the Kafka channel) wrote to Kafka (EventDrainSuccessCount, EventPutSuccessCount). */
  delivered: number;
  /** Events per second accepted into the channel and delivered to Kafka, over the status's sample (null: one sample). */
  inPerSec: number | null;
  outPerSec: number | null;
  /** Failures the source and sink counted since the agent started (channel writes, reads, Kafka sends, connections). */
  errors: number;
}

export interface AgentReport {
  host: string;
  url: string;
  chains: ChainReport[];
  /** Declared components that are not running, as `source web not started`. */
  notRunning: string[];
}

const SOURCE_ERRORS = ['ChannelWriteFail', 'EventReadFail', 'GenericProcessingFail'];
const SINK_ERRORS = ['ConnectionFailedCount', 'EventWriteFail', 'ChannelReadFail'];
const sum = (attrs: Record<string, string>, keys: string[]) => keys.reduce((n, k) => n + metricValue(attrs[k]), 0);

/**
 * An agent's declared chains read from its captured /metrics; with an earlier capture `before` taken `seconds`
 * earlier, the rates in and out over that interval.
 */
export function agentReport(inst: ServiceInstance, m: FlumeMetrics, before?: { m: FlumeMetrics; seconds: number }): AgentReport {
  const rate = (kind: 'source' | 'channel' | 'sink', name: string, key: string, now: number): number | null => {
    if (!before || before.seconds <= 0) return null;
    const then = metricValue(componentState(before.m, kind, name).attrs[key]);
    return Math.max(0, (now - then) / before.seconds);
  };
  const notRunning: string[] = [];
  const chains = chainsOf(inst).map((c): ChainReport => {
    const source = componentState(m, 'source', c.source.name);
    const channel = componentState(m, 'channel', c.channel);
    // A Kafka channel is its own sink: what it took is in the topic.
    const [outKind, outName, outKey] = c.sink
      ? (['sink', c.sink, 'EventDrainSuccessCount'] as const)
      : (['channel', c.channel, 'EventPutSuccessCount'] as const);
    const out = componentState(m, outKind, outName);
    for (const s of c.sink ? [source, channel, out] : [source, channel]) if (!s.running) notRunning.push(describeState(s));
    return {
      source: c.source.name,
      type: c.source.type,
      topic: c.source.topic,
      received: metricValue(source.attrs.EventReceivedCount),
      accepted: metricValue(source.attrs.EventAcceptedCount),
      channel: c.channel,
      channelKind: c.kind,
      // Flume reports Double.MAX_VALUE as the fill of a channel without a capacity.
      fillPercent: metricValue(channel.attrs.ChannelCapacity) > 0 ? metricValue(channel.attrs.ChannelFillPercentage) : null,
      delivered: metricValue(out.attrs[outKey]),
      inPerSec: rate('source', c.source.name, 'EventAcceptedCount', metricValue(source.attrs.EventAcceptedCount)),
      outPerSec: rate(outKind, outName, outKey, metricValue(out.attrs[outKey])),
      errors: sum(source.attrs, SOURCE_ERRORS) + (c.sink ? sum(out.attrs, SINK_ERRORS) : metricValue(out.attrs.RollbackCount)),
    };
  });
  return { host: inst.host.name, url: metricsUrl(inst), chains, notRunning };
}

const pct = (n: number | null) => (n === null ? '?%' : `${n.toFixed(1)}%`);

/** Flume in `pyro status` from each agent's report (or why it could not be read): a line per agent, problems. */
export function flumeSummary(agents: readonly (AgentReport | { host: string; url: string; error: string })[]): ComponentSummary {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const a of agents) {
    if ('error' in a) {
      problems.push(`Flume on ${a.host}: ${a.error}`);
      lines.push(`Flume  ${a.host}: unreachable: ${a.error}`);
      continue;
    }
    for (const what of a.notRunning) problems.push(`Flume on ${a.host}: ${what}`);
    for (const c of a.chains) {
      if (c.fillPercent !== null && c.fillPercent > CHANNEL_FULL_PERCENT)
        problems.push(`Flume on ${a.host}: channel ${c.channel} is ${pct(c.fillPercent)} full (its Kafka sink is not keeping up with source ${c.source})`);
    }
    const perSec = (n: number | null) => (n === null ? '' : ` (${n.toFixed(n < 10 ? 1 : 0)}/s)`);
    const chains = a.chains.map(
      (c) =>
        `${c.source} (${c.type} -> ${c.topic}) ${c.accepted} in${perSec(c.inPerSec)}, ${c.channelKind === 'kafka' ? 'Kafka channel' : `channel ${pct(c.fillPercent)} full`}, ${c.delivered} out${perSec(c.outPerSec)}` +
        (c.received !== c.accepted ? `, ${c.received - c.accepted} refused` : '') +
        (c.errors ? `, ${c.errors} errors` : ''),
    );
    lines.push(`Flume  ${a.host}: ${chains.join('; ') || 'no sources declared'}`);
  }
  return { key: 'flume', data: { agents }, lines, problems, ui: { 'Flume metrics': agents.map((a) => a.url).join(', ') } };
}

/** Flume in `pyro status`: each agent's sources, channels and sinks from its /metrics. */
export async function flumeStatus(_ctx: ProbeContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined> {
  const agents = managed.filter((i) => i.def.role === FLUME);
  if (!agents.length) return undefined;
  const reports = await Promise.all(
    agents.map(async (inst) => {
      // Two captures a second apart: the rates are what the agent does now, not an average since it started.
      const r = await orError(async () => {
        const first = await fetchMetrics(inst);
        const t = Date.now();
        await new Promise((res) => setTimeout(res, RATE_SAMPLE_MS));
        const second = await fetchMetrics(inst);
        return agentReport(inst, second, { m: first, seconds: (Date.now() - t) / 1000 });
      }, errorText);
      return 'error' in r ? { host: inst.host.name, url: metricsUrl(inst), error: r.error } : r;
    }),
  );
  return flumeSummary(reports);
}
