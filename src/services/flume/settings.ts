import { Type, type Static } from '@sinclair/typebox';
import { closed, name, port, stringEnum } from '../../inventory/schema-parts.js';
import type { ServiceInstance, SettingPortSpec } from '../../inventory/types.js';

// Defaults, chosen once. The channel's are Flume's own file-channel defaults, written out so flume.conf shows them. A
// channel transaction carries one sink batch, one tail read or one HTTP request, so batches stay under it (an HTTP
// request of more events is answered 503).
export const DEFAULT_BATCH_SIZE = 100;
export const DEFAULT_CHANNEL_CAPACITY = 1_000_000;
export const TRANSACTION_CAPACITY = 10_000;
// A taildir source reports "back off" after every read that drained its files, so at a steady rate Flume's default
// backoff (+1 s per poll, up to 5 s) grows to 5 s between reads: lines waited up to 5 s in the log. Polling a few
// files every half second costs nothing.
export const TAIL_BACKOFF_INCREMENT_MS = 100;
export const TAIL_MAX_BACKOFF_MS = 500;

export const SOURCE_TYPES = ['taildir', 'http', 'syslog-tcp', 'syslog-udp'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export const CHANNEL_KINDS = ['file', 'kafka'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

const Source = Type.Object(
  {
    name: name('source name, unique on its host; also names its channel and sink'),
    type: stringEnum(SOURCE_TYPES, 'taildir: lines appended to files; http: POSTed JSON events; syslog-tcp, syslog-udp: syslog messages'),
    topic: Type.String({ minLength: 1, description: 'Kafka topic its events go to (declared under topics:)' }),
    paths: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: 'taildir: absolute file globs on the host; wildcards (* ? [...] {a,b}) in the file name only',
      }),
    ),
    port: Type.Optional({ ...port, description: 'http, syslog-tcp, syslog-udp: the port it listens on (at the host address)' }),
    channel: Type.Optional(
      stringEnum(
        CHANNEL_KINDS,
        'file (default): a durable file channel on the host, drained by a Kafka sink; kafka: the source writes straight into the topic (a Kafka channel, acks=all, no sink): faster and fresher, with Kafka as the only buffer',
      ),
    ),
    createDir: Type.Optional(
      Type.Boolean({
        description:
          "taildir: create the files' directories when missing (for a log an application has not written yet); without it a missing directory is an error",
      }),
    ),
  },
  closed,
);

/** `services.flume` settings beside heap, ports, dirs and config (a host's own block replaces the list). */
export const FLUME_SETTINGS = {
  sources: Type.Array(Source, { description: "the agent's sources, each into its own file channel and Kafka sink", default: [] }),
  batchSize: Type.Integer({
    minimum: 1,
    maximum: TRANSACTION_CAPACITY,
    description: `events per Kafka batch and per tail read (default ${DEFAULT_BATCH_SIZE})`,
    default: DEFAULT_BATCH_SIZE,
  }),
  channelCapacity: Type.Integer({
    minimum: TRANSACTION_CAPACITY,
    description: `events each file channel holds while Kafka cannot take them (default ${DEFAULT_CHANNEL_CAPACITY})`,
    default: DEFAULT_CHANNEL_CAPACITY,
  }),
};

export type FlumeSource = Static<typeof Source>;

export interface FlumeSettings {
  sources: FlumeSource[];
  batchSize: number;
  channelCapacity: number;
}

/** An agent's settings: its host's own `services.flume` block over the component's. */
export function flumeSettingsOf(inst: ServiceInstance): FlumeSettings {
  return inst.settings as unknown as FlumeSettings;
}

/** The ports the sources listen on, for the clash rule and the port checks. */
export function sourcePorts(settings: Readonly<Record<string, unknown>>): SettingPortSpec[] {
  const sources = (settings as unknown as FlumeSettings).sources ?? [];
  return sources.flatMap((s, i) =>
    s.port === undefined || s.type === 'taildir'
      ? []
      : [{ name: `source ${s.name}`, port: s.port, protocol: s.type === 'syslog-udp' ? 'udp' : 'tcp', at: ['sources', i, 'port'] } satisfies SettingPortSpec],
  );
}
