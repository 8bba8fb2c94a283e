import { getJson } from '../../clients/http.js';
import type { ServiceInstance } from '../../inventory/types.js';
import { httpBase } from '../runtime.js';
import { chainsOf } from './components.js';

// What an agent's GET /metrics says (Flume's HTTP monitoring: every component's MBean as strings, keyed
// `SOURCE.<name>`, `CHANNEL.<name>`, `SINK.<name>`), read against the components the inventory declares.

/** The /metrics document: component key -> attribute -> value (all strings). */
export type FlumeMetrics = Record<string, Record<string, string>>;

export function metricsUrl(inst: ServiceInstance): string {
  return `${httpBase(inst, 'monitoring')}/metrics`;
}

export function fetchMetrics(inst: ServiceInstance, timeoutMs = 3000): Promise<FlumeMetrics> {
  return getJson<FlumeMetrics>(metricsUrl(inst), timeoutMs);
}

export type ComponentKind = 'source' | 'channel' | 'sink';

/** One declared component as the agent reports it. */
export interface ComponentState {
  kind: ComponentKind;
  name: string;
  /** Started and not stopped (a file channel: also done replaying its log). */
  running: boolean;
  /** Why it is not running, for messages: `not started`, `stopped`, ... */
  why?: string;
  attrs: Record<string, string>;
}

/** A metric's value as a number (0 when absent or not a number). */
export const metricValue = (v: string | undefined): number => Number(v ?? 0) || 0;

/**
 * A component in the metrics: Flume registers it when it starts (StartTime set) and keeps it, with a StopTime, once
 * it stops. A file channel registers before it replays its log and says Open=true when it is done.
 */
export function componentState(m: FlumeMetrics, kind: ComponentKind, name: string): ComponentState {
  const attrs = m[`${kind.toUpperCase()}.${name}`];
  const state = (why?: string): ComponentState => ({ kind, name, running: why === undefined, ...(why ? { why } : {}), attrs: attrs ?? {} });
  if (!attrs || !(metricValue(attrs.StartTime) > 0)) return state('not started');
  if (metricValue(attrs.StopTime) > 0) return state('stopped');
  if (attrs.Unhealthy === '1') return state('failed to start (see flume.log)');
  if (attrs.Open === 'false') return state('not open yet (replaying its log)');
  return state();
}

/** Every component the inventory declares for an agent, in declaration order (source, channel, sink per source). */
export function declaredStates(inst: ServiceInstance, m: FlumeMetrics): ComponentState[] {
  return chainsOf(inst).flatMap((c) => [
    componentState(m, 'source', c.source.name),
    componentState(m, 'channel', c.channel),
    ...(c.sink ? [componentState(m, 'sink', c.sink)] : []),
  ]);
}

/** `source web not started`: a component that is not running, as messages name it. */
export function describeState(s: ComponentState): string {
  return `${s.kind} ${s.name} ${s.why ?? 'running'}`;
}
