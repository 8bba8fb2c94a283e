import { loadInventory } from '../../services/catalog.js';
import { produceEvents } from '../../produce/generator.js';
import { bootstrapServers } from '../../services/kafka/endpoints.js';
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
  json?: boolean;
}

/** `pyro produce`: JSON page-view events into a topic at a rate, for demos, tests and benchmarks. */
export async function produceCommand(o: ProduceCommandOptions, ctx: RunContext): Promise<void> {
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
