import { loadInventory } from '../../services/catalog.js';
import { produceEvents } from '../../produce/generator.js';
import { appendAccessLog } from '../../produce/to-file.js';
import { openSession } from '../../phases/open.js';
import { bootstrapServers } from '../../services/kafka/endpoints.js';
import { plainTailedFiles, tailersOf } from '../../services/flume/tailed.js';
import type { Inventory } from '../../inventory/types.js';
import { InputError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

export interface ProduceCommandOptions {
  inventory: string;
  topic: string;
  rate: number;
  seconds?: number;
  count?: number;
  pages?: number;
  record?: string;
  firstId?: number;
  /** Append access-log lines to a file on a host instead (true: the file the inventory's agents tail). */
  toFile?: string | boolean;
  host?: string;
  json?: boolean;
}

/** `pyro produce`: JSON page-view events into a topic, or access-log lines into a tailed file, at a rate. */
export async function produceCommand(o: ProduceCommandOptions, ctx: RunContext): Promise<void> {
  if (o.toFile !== undefined && o.toFile !== false) return produceToFile(o, ctx);
  const { inventory: inv } = await loadInventory(o.inventory);
  const r = await produceEvents({
    brokers: bootstrapServers(inv),
    topic: o.topic,
    rate: o.rate,
    seconds: o.seconds,
    count: o.count ?? (o.seconds ? undefined : 1000),
    pages: o.pages,
    record: o.record,
    firstId: o.firstId,
    signal: ctx.signal,
    onTick: (sent, sec) => !o.json && ctx.out.isTTY && ctx.out.info(`  ${sent} events in ${sec.toFixed(0)} s`),
  });
  if (o.json) ctx.out.data(r);
  else
    ctx.out.info(
      `sent ${r.sent} events to ${o.topic} in ${r.seconds.toFixed(1)} s (${r.eventsPerSecond.toFixed(0)}/s, acks=all), ids ${r.firstId}..${r.lastId}${o.record ? `; recorded in ${o.record}` : ''}`,
    );
}

/** The file to write and its host: named, or the one plain path the inventory's agents tail. */
function fileTarget(inv: Inventory, o: ProduceCommandOptions): { file: string; host: string; via: string } {
  const plain = plainTailedFiles(inv);
  let file: string;
  if (typeof o.toFile === 'string') file = o.toFile;
  else {
    const files = [...new Set(plain.map((t) => t.glob))];
    if (files.length !== 1) {
      throw new InputError(
        'NO_TAILED_FILE',
        files.length ? `the agents in ${inv.file} tail ${files.length} files: name one` : `no flume agent in ${inv.file} tails a file`,
        {
          hint: files.length
            ? `e.g. pyro produce --to-file ${files[0]}`
            : 'declare a taildir source (services.flume.sources: [{name: access, type: taildir, paths: [/var/log/web/access.log], topic: ...}]), or name a file: --to-file PATH --host HOST',
        },
      );
    }
    file = files[0]!;
  }
  if (!file.startsWith('/')) throw new InputError('BAD_PATH', `--to-file ${file} is not an absolute path`, { hint: 'give the full path on the host' });
  const tailers = tailersOf(inv, file);
  const via = tailers.length ? ` (flume source ${[...new Set(tailers.map((t) => `${t.source.name} -> topic ${t.source.topic}`))].join(', ')})` : '';
  if (o.host) {
    if (!inv.hosts.some((h) => h.name === o.host)) {
      throw new InputError('UNKNOWN_HOST', `no host ${o.host} in ${inv.file}`, { hint: `hosts: ${inv.hosts.map((h) => h.name).join(', ')}` });
    }
    return { file, host: o.host, via: tailers.some((t) => t.inst.host.name === o.host) ? via : ' (no flume agent on that host tails it)' };
  }
  const hosts = [...new Set(tailers.map((t) => t.inst.host.name))];
  if (hosts.length !== 1) {
    throw new InputError('WHICH_HOST', hosts.length ? `${file} is tailed on ${hosts.join(', ')}: choose one` : `no flume agent in ${inv.file} tails ${file}`, {
      hint: hosts.length ? `add --host ${hosts[0]}` : 'name the host to write on with --host (the line then reaches Kafka only if an agent there tails it)',
    });
  }
  return { file, host: hosts[0]!, via };
}

async function produceToFile(o: ProduceCommandOptions, ctx: RunContext): Promise<void> {
  const { inventory: inv } = await loadInventory(o.inventory);
  const t = fileTarget(inv, o);
  const s = await openSession({
    inventory: o.inventory,
    command: 'pyro produce',
    out: ctx.out,
    signal: ctx.signal,
    quiet: true,
    hostFilter: (h) => h.name === t.host,
  });
  try {
    const host = s.hosts.get(t.host);
    if (!host)
      throw new InputError('UNKNOWN_HOST', `pyro manages nothing on ${t.host}, so it does not connect there`, { hint: 'choose a host that runs a service' });
    const r = await appendAccessLog(host, t.file, {
      rate: o.rate,
      seconds: o.seconds,
      count: o.count ?? (o.seconds ? undefined : 1000),
      firstId: o.firstId,
      signal: ctx.signal,
      onTick: (n, sec) => !o.json && ctx.out.isTTY && ctx.out.info(`  ${n} lines in ${sec.toFixed(0)} s`),
    });
    if (o.json) ctx.out.data(r);
    else
      ctx.out.info(
        `appended ${r.written} access-log lines to ${r.file} on ${r.host} in ${r.seconds.toFixed(1)} s (${r.linesPerSecond.toFixed(0)}/s)${t.via}, lines ${r.firstId}..${r.lastId}`,
      );
  } finally {
    await s.close();
  }
}
