import path from 'node:path';
import type { ServiceInstance } from '../../inventory/types.js';
import { flumeSettingsOf, type ChannelKind, type FlumeSource } from './settings.js';

// Each declared source becomes a source, a file channel and a Kafka sink in the agent, or a source and a Kafka
// channel that writes into the topic itself: the names the agent's config, its /metrics and pyro's messages share.

/** The one agent of a flume.conf: the name is what `-n` selects, so it is fixed. */
export const AGENT = 'agent';

/** The components one declared source becomes. */
export interface SourceChain {
  source: FlumeSource;
  kind: ChannelKind;
  channel: string;
  /** The Kafka sink draining a file channel; none for a Kafka channel. */
  sink?: string;
}

export function chainOf(source: FlumeSource): SourceChain {
  const kind = source.channel ?? 'file';
  return kind === 'kafka'
    ? { source, kind, channel: `${source.name}-kafka` }
    : { source, kind, channel: `${source.name}-channel`, sink: `${source.name}-kafka` };
}

/** An agent's chains, in declaration order. */
export function chainsOf(inst: ServiceInstance): SourceChain[] {
  return flumeSettingsOf(inst).sources.map(chainOf);
}

/** Where a source's file channel keeps its checkpoint and its data (a dir per channel: channels never share one). */
export function channelDirs(inst: ServiceInstance, chain: SourceChain): { checkpointDir: string; dataDirs: string } {
  const base = path.posix.join(inst.dirs.data!, 'channels', chain.source.name);
  return { checkpointDir: `${base}/checkpoint`, dataDirs: `${base}/data` };
}

/** A taildir source's position file (the offsets it resumes from). */
export function positionFile(inst: ServiceInstance, chain: SourceChain): string {
  return path.posix.join(inst.dirs.data!, 'taildir', `${chain.source.name}.json`);
}

/** A file a taildir source of an agent reads: the host, the source and the glob as declared. */
export interface TailedGlob {
  inst: ServiceInstance;
  source: FlumeSource;
  glob: string;
}

/** Every glob the agents tail, in inventory order. */
export function tailedGlobs(agents: readonly ServiceInstance[]): TailedGlob[] {
  return agents.flatMap((inst) =>
    flumeSettingsOf(inst)
      .sources.filter((s) => s.type === 'taildir')
      .flatMap((source) => (source.paths ?? []).map((glob) => ({ inst, source, glob }))),
  );
}

/** The directories a taildir source reads (they must exist before Flume starts it). */
export function tailedDirs(source: FlumeSource): string[] {
  return source.type === 'taildir' ? [...new Set((source.paths ?? []).map((p) => path.posix.dirname(p)))] : [];
}
