import { clip, formatPath, type Diagnostic } from '../../inventory/diagnostics.js';
import type { InventorySource, PathSeg } from '../../inventory/source.js';
import type { Rule } from '../../inventory/types.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { topicsOf } from '../kafka/sections.js';
import { BARE_NAME, unwritable } from './config-syntax.js';
import { LOGSTASH } from './endpoints.js';
import { FILTER_PLUGINS, INPUT_CODECS, INPUT_TYPES, logstashSettingsOf, OUTPUT_PLUGINS, type LogstashInput, type LogstashPipeline } from './settings.js';

const COMPONENT_LIST: PathSeg[] = ['services', 'logstash', 'pipelines'];
const EXAMPLE_PORT: Record<string, number> = { tcp: 5000, syslog: 5514, beats: 5044 };

type At = (...tail: PathSeg[]) => PathSeg[];

interface PipelineList {
  at: PathSeg[];
  pipelines: LogstashPipeline[];
  hosts: string[];
}

/** Each `pipelines:` list as written (component-wide, and each host's own), with the hosts that run it. */
function pipelineLists(inv: Parameters<Rule>[0], hasComponentList: boolean): PipelineList[] {
  const lists = new Map<string, PipelineList>();
  // The component-wide list is checked even when every host has its own.
  if (hasComponentList) {
    const pipelines = (inv.settings.logstash?.pipelines as LogstashPipeline[] | undefined) ?? [];
    lists.set(formatPath(COMPONENT_LIST), { at: COMPONENT_LIST, pipelines, hosts: [] });
  }
  for (const inst of inv.instances.filter((i) => i.def.role === LOGSTASH)) {
    const at = inst.origin['setting:pipelines'];
    if (!at) continue;
    const key = formatPath(at);
    const list = lists.get(key) ?? { at, pipelines: logstashSettingsOf(inst).pipelines, hosts: [] };
    list.hosts.push(inst.host.name);
    lists.set(key, list);
  }
  return [...lists.values()];
}

const unknownHint = (word: string, known: readonly string[], what: string) => {
  const guess = didYouMean(word, known);
  return `${guess ? `did you mean \`${guess}\`? ` : ''}pyro renders the ${what} ${known.join(', ')}`;
};

/** What to do about a value the .conf cannot hold (see unwritable). */
function writableHint(why: string): string {
  if (why.includes('backslash')) return 'drop the trailing backslash or add a character after it (a regex ending in \\ escapes nothing)';
  if (why.includes('null')) return 'give it a value, or quote it ("null") if the word is meant';
  return 'write it as a string';
}

/** A value the user wrote that reaches a .conf: located at what in it cannot be written. */
function checkWritable(src: InventorySource, at: PathSeg[], what: string, label: string, value: unknown): Diagnostic[] {
  const bad = unwritable(value);
  if (!bad) return [];
  const inside = bad.at.length ? formatPath([label, ...bad.at]) : label;
  return [src.diagnostic([...at, ...bad.at], `${what}: ${inside} ${bad.why}`, { hint: writableHint(bad.why) })];
}

function inputProblems(src: InventorySource, p: LogstashPipeline, input: LogstashInput, at: At): Diagnostic[] {
  const out: Diagnostic[] = [];
  const type = input.type;
  if (!(INPUT_TYPES as readonly string[]).includes(type)) {
    return [src.diagnostic(at('type'), `logstash pipeline ${p.name}: unknown input \`${clip(type)}\``, { hint: unknownHint(type, INPUT_TYPES, 'inputs') })];
  }
  const what = `${type} input of pipeline ${p.name}`;
  if (type === 'file') {
    if (!input.paths) out.push(src.diagnostic(at(), `${what} has no paths`, { hint: 'add `paths: [/var/log/app/*.log]`' }));
    if (input.port !== undefined) out.push(src.diagnostic(at('port'), `${what} listens on no port`, { hint: 'remove `port:` (it reads files: see `paths:`)' }));
    (input.paths ?? []).forEach((path, k) => {
      if (!path.startsWith('/')) {
        out.push(
          src.diagnostic(at('paths', k), `${what}: ${clip(path)} is not an absolute path`, {
            hint: `write the full path on the host, e.g. /var/log/app/${path.split('/').pop() || '*.log'}`,
          }),
        );
      } else out.push(...checkWritable(src, at('paths', k), what, clip(path), path));
    });
  } else {
    if (input.port === undefined) out.push(src.diagnostic(at(), `${what} has no port`, { hint: `add \`port:\`, e.g. port: ${EXAMPLE_PORT[type]}` }));
    if (input.paths) out.push(src.diagnostic(at('paths'), `${what} reads no files`, { hint: 'remove `paths:` (only file inputs read files)' }));
    if (input.startPosition)
      out.push(src.diagnostic(at('startPosition'), `${what} reads no files`, { hint: 'remove `startPosition:` (only file inputs have one)' }));
  }
  const codecs = INPUT_CODECS[type as keyof typeof INPUT_CODECS];
  if (input.codec !== undefined && !codecs?.includes(input.codec)) {
    out.push(
      src.diagnostic(at('codec'), `${what} takes ${codecs ? `the codec ${codecs.join(' or ')}` : 'no codec'}, not ${input.codec}`, {
        hint: codecs ? `codec: ${codecs[0]} (the default) or ${codecs[1]}` : `remove \`codec:\` (a ${type} input decodes its own protocol)`,
      }),
    );
  }
  return out;
}

function filterProblems(src: InventorySource, p: LogstashPipeline, entry: Record<string, Record<string, unknown>>, at: At): Diagnostic[] {
  const plugins = Object.keys(entry);
  if (plugins.length !== 1) {
    return [
      src.diagnostic(
        at(),
        `a filter of pipeline ${p.name} names ${plugins.length ? `${plugins.length} plugins (${plugins.map((k) => clip(k)).join(', ')})` : 'no plugin'}`,
        { hint: 'one list entry per filter, e.g. `- grok: { match: { message: "%{COMBINEDAPACHELOG}" } }` then `- date: {...}`' },
      ),
    ];
  }
  const plugin = plugins[0]!;
  if (!(FILTER_PLUGINS as readonly string[]).includes(plugin)) {
    return [
      src.diagnostic(at(plugin), `logstash pipeline ${p.name}: unknown filter \`${clip(plugin)}\``, {
        atKey: true,
        hint: unknownHint(plugin, FILTER_PLUGINS, 'filters'),
      }),
    ];
  }
  const out: Diagnostic[] = [];
  for (const [option, value] of Object.entries(entry[plugin]!)) {
    const what = `${plugin} filter of pipeline ${p.name}`;
    if (!BARE_NAME.test(option)) {
      out.push(
        src.diagnostic(at(plugin, option), `${what}: \`${clip(option)}\` is not a Logstash option name`, {
          atKey: true,
          hint: `option names are letters, digits, _ and -: see the ${plugin} filter's options in Logstash's docs`,
        }),
      );
    } else out.push(...checkWritable(src, at(plugin, option), what, option, value));
  }
  return out;
}

function outputProblems(src: InventorySource, p: LogstashPipeline, topics: Set<string>, at: At): Diagnostic[] {
  const output = p.output as Record<string, unknown>;
  const plugins = Object.keys(output);
  const example = `output: { kafka: { topic: ${[...topics][0] ?? 'events'} } }`;
  if (plugins.length !== 1) {
    return [
      src.diagnostic(at('output'), `pipeline ${p.name} names ${plugins.length ? `${plugins.length} outputs` : 'no output'}`, {
        hint: `one output: ${example}`,
      }),
    ];
  }
  const plugin = plugins[0]!;
  if (!(OUTPUT_PLUGINS as readonly string[]).includes(plugin)) {
    const guess = didYouMean(plugin, OUTPUT_PLUGINS);
    return [
      src.diagnostic(at('output', plugin), `logstash pipeline ${p.name}: unknown output \`${clip(plugin)}\``, {
        atKey: true,
        hint: `${guess ? `did you mean \`${guess}\`? ` : ''}pyro's pipelines write to Kafka: ${example}`,
      }),
    ];
  }
  const kafka = p.output.kafka!;
  const out: Diagnostic[] = [];
  if (!topics.has(kafka.topic)) {
    out.push(
      src.diagnostic(at('output', 'kafka', 'topic'), `logstash pipeline ${p.name} writes to topic ${clip(kafka.topic)}, which is not declared under topics:`, {
        hint: topics.size ? `declared topics: ${[...topics].join(', ')}` : `declare it: topics: [{ name: ${clip(kafka.topic)} }]`,
      }),
    );
  }
  if (kafka.key !== undefined) out.push(...checkWritable(src, at('output', 'kafka', 'key'), `kafka output of pipeline ${p.name}`, 'key', kafka.key));
  return out;
}

/**
 * Pipelines: at least one per Logstash (it exits without one), unique names in a list, inputs, filters and outputs
 * pyro renders, each with what it needs (file inputs: absolute paths; network inputs: a port), values a .conf can
 * hold, and topics declared under topics:. Port clashes are the inventory's generic rule.
 */
export const pipelineRules: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  for (const inst of inv.instances.filter((i) => i.def.role === LOGSTASH)) {
    if (logstashSettingsOf(inst).pipelines.length) continue;
    out.push(
      src.diagnostic(
        ['hosts', inst.host.index, 'roles', inst.host.roles.indexOf(LOGSTASH)],
        `logstash on ${inst.host.name} runs no pipeline (Logstash exits without one)`,
        {
          hint: "declare services.logstash.pipelines (or the host's own), e.g. [{ name: app, inputs: [{ type: file, paths: [/var/log/app/*.log] }], output: { kafka: { topic: app } } }]",
        },
      ),
    );
  }
  const topics = new Set(topicsOf(inv).map((t) => t.name));
  for (const list of pipelineLists(inv, src.doc.hasIn(COMPONENT_LIST))) {
    const onHosts = list.hosts.length ? ` (on ${list.hosts.join(', ')})` : '';
    const seen = new Set<string>();
    list.pipelines.forEach((p, i) => {
      const at: At = (...tail) => [...list.at, i, ...tail];
      if (seen.has(p.name)) {
        out.push(
          src.diagnostic(at('name'), `logstash pipeline ${p.name} is declared twice${onHosts}`, {
            hint: 'give each pipeline of a host its own name (it is the pipeline id and names its .conf)',
          }),
        );
      }
      seen.add(p.name);
      p.inputs.forEach((input, j) => out.push(...inputProblems(src, p, input, (...tail) => at('inputs', j, ...tail))));
      (p.filters ?? []).forEach((f, j) =>
        out.push(...filterProblems(src, p, f as Record<string, Record<string, unknown>>, (...tail) => at('filters', j, ...tail))),
      );
      out.push(...outputProblems(src, p, topics, at));
    });
  }
  return out;
};
