import { FLUME_MAIN } from '../../artifacts/recipes/flume.js';
import type { ConfigValue } from '../../inventory/types.js';
import { renderProperties } from '../../render/properties.js';
import { bootstrapServers } from '../kafka/endpoints.js';
import { roleMarker, userConfig, type RuntimeContext } from '../runtime.js';
import { AGENT, chainsOf, channelDirs, positionFile, tailedDirs, type SourceChain } from './components.js';
import { flumeSettingsOf, TAIL_BACKOFF_INCREMENT_MS, TAIL_MAX_BACKOFF_MS, TRANSACTION_CAPACITY, type FlumeSettings } from './settings.js';
import { taildirPattern } from './taildir-glob.js';

export const FLUME_CONF = 'flume.conf';

function sourceProperties(ctx: RuntimeContext, chain: SourceChain, s: FlumeSettings): Record<string, ConfigValue> {
  const src = chain.source;
  const address = ctx.inst.host.address;
  switch (src.type) {
    case 'taildir': {
      const groups = (src.paths ?? []).map((glob, i) => {
        const { dir, regex } = taildirPattern(glob);
        // Not path.join: a regex such as `.` is a file-name pattern, not a path segment.
        return [`f${i + 1}`, `${dir === '/' ? '' : dir}/${regex}`] as const;
      });
      return {
        type: 'TAILDIR',
        filegroups: groups.map(([g]) => g).join(' '),
        ...Object.fromEntries(groups.map(([g, p]) => [`filegroups.${g}`, p])),
        positionFile: positionFile(ctx.inst, chain),
        fileHeader: true,
        batchSize: s.batchSize,
        backoffSleepIncrement: TAIL_BACKOFF_INCREMENT_MS,
        maxBackoffSleep: TAIL_MAX_BACKOFF_MS,
      };
    }
    case 'http':
      // JSONHandler: a JSON array of {headers, body}; a request that does not parse is answered 400.
      return { type: 'http', bind: address, port: src.port!, handler: 'org.apache.flume.source.http.JSONHandler' };
    case 'syslog-tcp':
      return { type: 'syslogtcp', host: address, port: src.port! };
    case 'syslog-udp':
      return { type: 'syslogudp', host: address, port: src.port! };
  }
}

function chainProperties(ctx: RuntimeContext, chain: SourceChain, s: FlumeSettings): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  const put = (prefix: string, props: Record<string, ConfigValue>) => {
    for (const [k, v] of Object.entries(props)) out[`${AGENT}.${prefix}.${k}`] = v;
  };
  put(`sources.${chain.source.name}`, { ...sourceProperties(ctx, chain, s), channels: chain.channel });
  if (chain.kind === 'kafka') {
    // A Kafka channel commits a source's transaction once the brokers acknowledged every event in it (acks=all):
    // the taildir position moves, or the HTTP client hears 200, only then. No sink reads it: the topic is the end.
    put(`channels.${chain.channel}`, {
      type: 'org.apache.flume.channel.kafka.KafkaChannel',
      'kafka.bootstrap.servers': bootstrapServers(ctx.inv).join(','),
      'kafka.topic': chain.source.topic,
      'kafka.producer.acks': 'all',
      'kafka.consumer.group.id': `flume-${ctx.inst.host.name}-${chain.source.name}`,
      // The plain body, as the sink writes it; headers (the tailed file) are not kept.
      parseAsFlumeEvent: false,
    });
    return out;
  }
  // A file channel fsyncs each transaction: what a source was told is accepted survives a restart or kill -9.
  put(`channels.${chain.channel}`, {
    type: 'file',
    ...channelDirs(ctx.inst, chain),
    capacity: s.channelCapacity,
    transactionCapacity: TRANSACTION_CAPACITY,
  });
  put(`sinks.${chain.sink!}`, {
    type: 'org.apache.flume.sink.kafka.KafkaSink',
    channel: chain.channel,
    'kafka.bootstrap.servers': bootstrapServers(ctx.inv).join(','),
    'kafka.topic': chain.source.topic,
    'kafka.producer.acks': 'all',
    flumeBatchSize: s.batchSize,
    // Consumers read the plain body; an event's `topic` header must not send it elsewhere than the declared topic.
    useFlumeEventFormat: false,
    allowTopicOverride: false,
    // The tailed file's path travels as a Kafka record header (the body stays the plain line).
    ...(chain.source.type === 'taildir' ? { 'header.file': 'file' } : {}),
  });
  return out;
}

/** flume.conf: the one agent, a source with its channel (and Kafka sink) per declared source; overrides last. */
export function flumeConf(ctx: RuntimeContext): string {
  const s = flumeSettingsOf(ctx.inst);
  const chains = chainsOf(ctx.inst);
  const lists: Record<string, ConfigValue> = chains.length
    ? {
        [`${AGENT}.sources`]: chains.map((c) => c.source.name).join(' '),
        [`${AGENT}.channels`]: chains.map((c) => c.channel).join(' '),
        [`${AGENT}.sinks`]: chains.flatMap((c) => (c.sink ? [c.sink] : [])).join(' '),
      }
    : // Flume exits on a file that configures nothing; one idle memory channel keeps the agent up (and its metrics
      // answering) until sources are declared.
      { [`${AGENT}.channels`]: 'idle', [`${AGENT}.channels.idle.type`]: 'memory' };
  const chainProps = chains.map((c) => chainProperties(ctx, c, s));
  const made = s.sources.filter((x) => x.createDir).flatMap(tailedDirs);
  // Part of the file (and so of its hash): turning createDir on restarts the agent, whose pre-start makes the dirs.
  const header = made.length ? `# pyro creates these directories when they are missing (createDir): ${made.join(' ')}\n` : '';
  return header + renderProperties(Object.assign(lists, ...chainProps, userConfig(ctx.inst, FLUME_CONF)));
}

export function flumeFiles(ctx: RuntimeContext): Record<string, string> {
  return { [FLUME_CONF]: flumeConf(ctx) };
}

/**
 * The agent's JVM, as test/helpers/smoke/flume.ts runs it: Flume's main on `conf:lib/*` (the distribution's
 * log4j2.xml, logging into the instance's log dir), HTTP metrics on the monitoring port. The config is read once:
 * pyro restarts the agent when it changes, so Flume's own reload would only race it.
 */
export function flumeLaunch(ctx: RuntimeContext): string[] {
  const root = ctx.artifactRoot('flume');
  return [
    ctx.java,
    `-Xms${ctx.heapMb}m`,
    `-Xmx${ctx.heapMb}m`,
    roleMarker(ctx.inst.def.role),
    '-Dflume.monitoring.type=http',
    `-Dflume.monitoring.port=${ctx.inst.ports.monitoring}`,
    `-Dlog4j2.configurationFile=${root}/conf/log4j2.xml`,
    `-Dflume.log.dir=${ctx.paths.logs}`,
    '-cp',
    `${root}/conf:${root}/lib/*`,
    FLUME_MAIN,
    '-n',
    AGENT,
    '-f',
    `${ctx.paths.conf}/${FLUME_CONF}`,
    '--no-reload-conf',
  ];
}
