import { getJson } from '../../clients/http.js';
import { clip } from '../../inventory/diagnostics.js';
import type { ServiceInstance } from '../../inventory/types.js';
import { httpBase } from '../runtime.js';
import { logstashSettingsOf } from './settings.js';

// What Logstash's monitoring API says about its pipelines, read against the pipelines the inventory declares.
// GET /_node/pipelines lists the pipelines that have started (workers, batch size), and keeps one that stopped;
// GET /_node/stats/pipelines has per pipeline its events, flow rates, queue, dead letters, plugins and reloads, and
// carries `ephemeral_id` only while the pipeline runs; a pipeline that failed to start is there with its error.

/** A plugin's counters in the stats (`failures` on the filters that count them: grok, date). */
export interface PluginStats {
  id: string;
  name?: string;
  events?: { in?: number; out?: number };
  failures?: number;
}

/** One rate of Logstash's flow metrics: events per second over windows. */
export interface FlowRate {
  current?: number;
  last_1_minute?: number;
  lifetime?: number;
}

/** One pipeline in GET /_node/stats/pipelines (every part null or absent while it is not running). */
export interface PipelineStats {
  events?: { in?: number; out?: number; filtered?: number } | null;
  flow?: { input_throughput?: FlowRate; output_throughput?: FlowRate } | null;
  plugins?: { inputs?: PluginStats[]; filters?: PluginStats[]; outputs?: PluginStats[] } | null;
  reloads?: { successes?: number; failures?: number; last_error?: { message?: string } | null } | null;
  queue?: { type?: string; events_count?: number; queue_size_in_bytes?: number; max_queue_size_in_bytes?: number } | null;
  dead_letter_queue?: { queue_size_in_bytes?: number; max_queue_size_in_bytes?: number; dropped_events?: number; expired_events?: number } | null;
  /** Present only while the pipeline runs. */
  ephemeral_id?: string;
}

/** One pipeline in GET /_node/pipelines. */
export interface NodePipeline {
  ephemeral_id?: string;
  workers?: number;
  batch_size?: number;
  dead_letter_queue_enabled?: boolean;
}

/** Both documents, as fetched together. */
export interface LogstashApi {
  node: { pipelines?: Record<string, NodePipeline> };
  stats: { pipelines?: Record<string, PipelineStats> };
}

export function apiBase(inst: ServiceInstance): string {
  return httpBase(inst, 'api');
}

export async function fetchApi(inst: ServiceInstance, timeoutMs = 3000): Promise<LogstashApi> {
  const base = apiBase(inst);
  const [node, stats] = await Promise.all([
    getJson<LogstashApi['node']>(`${base}/_node/pipelines`, timeoutMs),
    getJson<LogstashApi['stats']>(`${base}/_node/stats/pipelines`, timeoutMs),
  ]);
  return { node, stats };
}

/** A declared pipeline as Logstash reports it. */
export interface PipelineState {
  name: string;
  running: boolean;
  /** Why it is not running, for messages: `not started yet`, `failed to start: ...`, `stopped`. */
  why?: string;
  stats?: PipelineStats;
  node?: NodePipeline;
}

export function pipelineState(api: LogstashApi, name: string): PipelineState {
  const stats = api.stats.pipelines?.[name] ?? undefined;
  const node = api.node.pipelines?.[name] ?? undefined;
  const state = (why?: string): PipelineState => ({
    name,
    running: why === undefined,
    ...(why ? { why } : {}),
    ...(stats ? { stats } : {}),
    ...(node ? { node } : {}),
  });
  if (stats?.ephemeral_id) return state();
  const error = stats?.reloads?.last_error?.message;
  if (error) return state(`failed to start: ${clip(error.split('\n')[0]!.trim(), 200)}`);
  return state(node ? 'stopped' : 'not started yet');
}

/** Every pipeline the inventory declares for an instance, in declaration order. */
export function declaredStates(inst: ServiceInstance, api: LogstashApi): PipelineState[] {
  return logstashSettingsOf(inst).pipelines.map((p) => pipelineState(api, p.name));
}

/** `pipeline access failed to start: ...`: a pipeline that is not running, as messages name it. */
export function describeState(s: PipelineState): string {
  return `pipeline ${s.name} ${s.why ?? 'running'}`;
}
