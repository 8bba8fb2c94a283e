import path from 'node:path';
import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import { bootstrapServers } from '../kafka/endpoints.js';
import { LsPlugin, lsSection } from './config-syntax.js';
import { filterId, filterPlugin, INPUT_CODECS, inputId, outputId, type FilterEntry, type LogstashInput, type LogstashPipeline } from './settings.js';

// One declared pipeline as Logstash's .conf: its inputs, its filters as written, one Kafka output. Every plugin
// gets an id (pipeline-plugin-n), which is how the monitoring API names it.

/** The .conf of a pipeline, in the instance's conf dir. */
export const pipelineFile = (p: LogstashPipeline): string => `pipeline-${p.name}.conf`;

/** Where a file input keeps its read positions (one file per input: inputs never share one). */
export function sincedbPath(inst: ServiceInstance, p: LogstashPipeline, j: number): string {
  return path.posix.join(sincedbDir(inst), inputId(p, j));
}

export const sincedbDir = (inst: ServiceInstance): string => path.posix.join(inst.dirs.data!, 'sincedb');

function input(inst: ServiceInstance, p: LogstashPipeline, j: number): LsPlugin {
  const i: LogstashInput = p.inputs[j]!;
  const id: [string, unknown] = ['id', inputId(p, j)];
  // Network inputs listen on the host's inventory address, like every other service pyro runs.
  const listen: [string, unknown][] = [
    ['host', inst.host.address],
    ['port', i.port!],
  ];
  switch (i.type) {
    case 'file':
      return new LsPlugin('file', [
        id,
        ['path', i.paths!],
        ['mode', 'tail'],
        ['start_position', i.startPosition ?? 'beginning'],
        ['sincedb_path', sincedbPath(inst, p, j)],
        ['codec', new LsPlugin(i.codec ?? INPUT_CODECS.file![0]!)],
      ]);
    case 'tcp':
      return new LsPlugin('tcp', [id, ...listen, ['mode', 'server'], ['codec', new LsPlugin(i.codec ?? INPUT_CODECS.tcp![0]!)]]);
    case 'syslog':
    case 'beats':
      return new LsPlugin(i.type, [id, ...listen]);
    default:
      throw new Error(`logstash input type ${i.type} is not one pyro renders`);
  }
}

function filter(p: LogstashPipeline, entry: FilterEntry, j: number): LsPlugin {
  const plugin = filterPlugin(entry);
  const options = Object.entries(entry[plugin] ?? {});
  // The user's own id wins: a plugin given `id` twice would get both as a list.
  return new LsPlugin(plugin, options.some(([k]) => k === 'id') ? options : [['id', filterId(p, plugin, j)], ...options]);
}

function output(inv: Inventory, p: LogstashPipeline): LsPlugin {
  const kafka = p.output.kafka!;
  return new LsPlugin('kafka', [
    ['id', outputId(p)],
    ['bootstrap_servers', bootstrapServers(inv).join(',')],
    ['topic_id', kafka.topic],
    // The producer's default is 1: an event the leader took but no replica copied is lost with the leader.
    ['acks', 'all'],
    // json: the whole event, fields and all; plain with this format: the message alone (Logstash's plain codec
    // would prefix the timestamp and host).
    ['codec', kafka.codec === 'plain' ? new LsPlugin('plain', [['format', '%{message}']]) : new LsPlugin('json')],
    ...(kafka.key === undefined ? [] : ([['message_key', kafka.key]] as [string, unknown][])),
  ]);
}

/** A pipeline's .conf: inputs, filters in their order, the Kafka output. */
export function pipelineConf(inv: Inventory, inst: ServiceInstance, p: LogstashPipeline): string {
  return [
    `# Logstash pipeline ${p.name} on ${inst.host.name}, written by pyro from the inventory: edits are overwritten.\n`,
    lsSection(
      'input',
      p.inputs.map((_, j) => input(inst, p, j)),
    ),
    lsSection(
      'filter',
      (p.filters ?? []).map((f, j) => filter(p, f as FilterEntry, j)),
    ),
    lsSection('output', [output(inv, p)]),
  ]
    .filter(Boolean)
    .join('');
}
