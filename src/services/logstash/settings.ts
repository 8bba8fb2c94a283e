import { Type, type Static } from '@sinclair/typebox';
import { closed, name, port, stringEnum } from '../../inventory/schema-parts.js';
import type { ServiceInstance, SettingPortSpec } from '../../inventory/types.js';

// What pyro renders, by plugin name. Anything else in a pipeline is refused by the rules (located, did-you-mean),
// not by the schema, so a typo gets a message about plugins rather than about fields.
export const INPUT_TYPES = ['file', 'tcp', 'syslog', 'beats'] as const;
export const FILTER_PLUGINS = ['grok', 'json', 'date', 'mutate'] as const;
export const OUTPUT_PLUGINS = ['kafka'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/** The codecs each input takes (its first is Logstash's default for it); an input missing here takes none. */
export const INPUT_CODECS: Partial<Record<InputType, readonly string[]>> = { file: ['plain', 'json'], tcp: ['line', 'json_lines'] };
const CODECS = ['plain', 'json', 'line', 'json_lines'] as const;

const Input = Type.Object(
  {
    type: Type.String({ minLength: 1, description: `the input plugin: ${INPUT_TYPES.join(', ')}`, examples: [...INPUT_TYPES] }),
    paths: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: 'file: absolute paths on the host; globs (* ** ? [...] {a,b}) anywhere in them',
      }),
    ),
    port: Type.Optional({ ...port, description: 'tcp, syslog, beats: the port it listens on (at the host address; syslog on TCP and UDP)' }),
    codec: Type.Optional(stringEnum(CODECS, 'file: plain (a line per event, default) or json (a JSON document per line); tcp: line (default) or json_lines')),
    startPosition: Type.Optional(
      stringEnum(['beginning', 'end'], 'file: where a file seen for the first time is read from (default beginning); known files resume where they stopped'),
    ),
  },
  closed,
);

/** A plugin's options as plain YAML: strings, numbers, booleans, lists and maps, rendered in Logstash's syntax. */
const Options = Type.Record(Type.String({ minLength: 1 }), Type.Unknown(), { description: "the plugin's options, as in Logstash's docs" });

const Filter = Type.Object(Object.fromEntries(FILTER_PLUGINS.map((p) => [p, Type.Optional(Options)])), {
  additionalProperties: Options,
  description: `one filter: its plugin (${FILTER_PLUGINS.join(', ')}) and options, e.g. grok: { match: { message: "%{COMBINEDAPACHELOG}" } }`,
});

const KafkaOutput = Type.Object(
  {
    topic: Type.String({ minLength: 1, description: 'Kafka topic its events go to (declared under topics:)' }),
    key: Type.Optional(Type.String({ minLength: 1, description: 'the record key, a Logstash sprintf format such as %{[host][name]} (default none)' })),
    codec: Type.Optional(stringEnum(['json', 'plain'], 'json: the whole event as one JSON object (default); plain: its message field alone')),
  },
  closed,
);

const Output = Type.Object(
  { kafka: Type.Optional(KafkaOutput) },
  { additionalProperties: Type.Unknown(), description: 'where events go: kafka: { topic: ... } (acks=all)' },
);

const Pipeline = Type.Object(
  {
    name: name('pipeline id, unique on its host; names its .conf and its plugins'),
    inputs: Type.Array(Input, { minItems: 1, description: 'where events come from' }),
    filters: Type.Optional(Type.Array(Filter, { description: 'applied in order' })),
    output: Output,
    workers: Type.Optional(Type.Integer({ minimum: 1, description: "pipeline.workers (default Logstash's: the host's cores)" })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, description: "pipeline.batch.size (default Logstash's, 125)" })),
    queue: Type.Optional(
      stringEnum(
        ['memory', 'persisted'],
        'memory (default): in-flight events are lost with the process; persisted: on disk in the data dir until Kafka has them',
      ),
    ),
  },
  closed,
);

/** `services.logstash` settings beside heap, ports, dirs and config (a host's own block replaces the list). */
export const LOGSTASH_SETTINGS = {
  pipelines: Type.Array(Pipeline, { description: 'the pipelines every Logstash runs (a host may declare its own list instead)', default: [] }),
};

export type LogstashInput = Static<typeof Input>;
export type LogstashPipeline = Static<typeof Pipeline>;
export type KafkaOutputOptions = Static<typeof KafkaOutput>;
/** A filter entry as written: one plugin name and its options (the rules refuse any other shape). */
export type FilterEntry = Record<string, Record<string, unknown>>;

export interface LogstashSettings {
  pipelines: LogstashPipeline[];
}

/** An instance's settings: its host's own `services.logstash` block over the component's. */
export function logstashSettingsOf(inst: ServiceInstance): LogstashSettings {
  return inst.settings as unknown as LogstashSettings;
}

/** The ports the inputs listen on, for the clash rule and the port checks (syslog listens on TCP and UDP). */
export function inputPorts(settings: Readonly<Record<string, unknown>>): SettingPortSpec[] {
  const pipelines = (settings as unknown as LogstashSettings).pipelines ?? [];
  return pipelines.flatMap((p, i) =>
    p.inputs.flatMap((input, j) => {
      // A file input listens on nothing; an unknown type is the rules' to report, not the port checks'.
      if (input.port === undefined || !['tcp', 'syslog', 'beats'].includes(input.type)) return [];
      const at = ['pipelines', i, 'inputs', j, 'port'];
      const spec = (protocol: 'tcp' | 'udp'): SettingPortSpec => ({ name: `input ${inputId(p, j)}`, port: input.port!, protocol, at });
      return input.type === 'syslog' ? [spec('tcp'), spec('udp')] : [spec('tcp')];
    }),
  );
}

// Plugin ids: what the .conf sets and what the monitoring API reports each plugin under.

/** `access-file-1`: the input at index `j` of a pipeline (1-based in the id, as people count). */
export function inputId(p: LogstashPipeline, j: number): string {
  return `${p.name}-${p.inputs[j]!.type}-${j + 1}`;
}

export function filterId(p: LogstashPipeline, plugin: string, j: number): string {
  return `${p.name}-${plugin}-${j + 1}`;
}

export function outputId(p: LogstashPipeline): string {
  return `${p.name}-kafka`;
}

/** The one plugin name of a filter entry (the rules refuse entries with none or several). */
export function filterPlugin(entry: FilterEntry): string {
  return Object.keys(entry)[0]!;
}
