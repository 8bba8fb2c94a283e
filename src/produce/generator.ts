import { createWriteStream } from 'node:fs';
import { CompressionTypes, Partitioners } from 'kafkajs';
import { kafkaClient } from '../clients/kafka-admin.js';

export interface ProduceOptions {
  brokers: string[];
  topic: string;
  /** Events per second (0: as fast as the brokers take them). */
  rate: number;
  /** Seconds to run, or `count` events, whichever comes first. */
  seconds?: number;
  count?: number;
  /** Pages the events spread over (page-0 .. page-N-1, round robin). */
  pages?: number;
  /** Extra bytes of padding per event (to match a record size). */
  padding?: number;
  /** NDJSON file recording every acknowledged event: {id, page, ts}. */
  record?: string;
  /** First event id (so runs can be told apart). */
  firstId?: number;
  acks?: -1 | 0 | 1;
  signal?: AbortSignal;
  onTick?: (sent: number, elapsedSec: number) => void;
}

export interface ProduceResult {
  sent: number;
  seconds: number;
  eventsPerSecond: number;
  bytes: number;
  perPage: Record<string, number>;
  firstId: number;
  lastId: number;
}

/**
 * Writes JSON events to a topic at a steady rate, in batches every 10 ms, acks=all by default. Each event carries
 * its creation time (`ts`, epoch ms), set when its batch is built; only acknowledged events are counted and recorded.
 */
export async function produceEvents(o: ProduceOptions): Promise<ProduceResult> {
  const producer = kafkaClient(o.brokers, 'pyro-produce').producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const pages = o.pages ?? 5;
  const pad = o.padding ? 'x'.repeat(o.padding) : '';
  const rec = o.record ? createWriteStream(o.record, { flags: 'a' }) : undefined;
  const perPage: Record<string, number> = {};
  let id = o.firstId ?? 1;
  const firstId = id;
  let sent = 0;
  let bytes = 0;
  const t0 = Date.now();
  const limitCount = o.count ?? Number.POSITIVE_INFINITY;
  const limitMs = (o.seconds ?? Number.POSITIVE_INFINITY) * 1000;
  const tickMs = 10;
  const inFlight = new Set<Promise<void>>();
  let lastTick = t0;
  let made = 0;
  try {
    while (made < limitCount && Date.now() - t0 < limitMs && !o.signal?.aborted) {
      const elapsed = Date.now() - t0;
      // Events that should exist by the end of this tick at the rate; the difference goes out as one batch.
      const target = o.rate > 0 ? Math.floor(((elapsed + tickMs) / 1000) * o.rate) : made + 500;
      const due = Math.min(limitCount, target) - made;
      if (due > 0) {
        const ts = Date.now();
        const events = Array.from({ length: due }, () => {
          const n = id++;
          return { id: n, page: `page-${n % pages}`, user: `user-${(n * 7919) % 1000}`, ts, ...(pad ? { pad } : {}) };
        });
        made += due;
        // One request per key (so per partition): kafkajs 2.2.4 resolves a send whose partitions span brokers once
        // each broker answered, and on a retry skips a broker that already did, even when a partition that failed
        // elsewhere now has its leader there. Such records were reported sent and never written (bench/roll saw
        // hundreds lost per rolling restart). With one partition per send, a retry always resends it.
        const byKey = new Map<string, typeof events>();
        for (const e of events) {
          const group = byKey.get(e.page);
          if (group) group.push(e);
          else byKey.set(e.page, [e]);
        }
        for (const group of byKey.values()) {
          const messages = group.map((e) => ({ key: e.page, value: JSON.stringify(e) }));
          const p = producer.send({ topic: o.topic, acks: o.acks ?? -1, compression: CompressionTypes.None, messages }).then(() => {
            sent += group.length;
            for (const [k, e] of group.entries()) {
              perPage[e.page] = (perPage[e.page] ?? 0) + 1;
              bytes += messages[k]!.value.length;
              rec?.write(`${JSON.stringify({ id: e.id, page: e.page, ts: e.ts })}\n`);
            }
          });
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p)).catch(() => undefined);
        }
        // Bounded: a slow broker slows the generator instead of queueing without end.
        if (inFlight.size > 50 * Math.max(1, pages)) await Promise.race(inFlight);
      }
      if (o.onTick && Date.now() - lastTick >= 1000) {
        lastTick = Date.now();
        o.onTick(sent, (lastTick - t0) / 1000);
      }
      if (o.rate > 0) await new Promise((r) => setTimeout(r, tickMs));
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await new Promise<void>((r) => (rec ? rec.end(r) : r()));
  }
  const seconds = (Date.now() - t0) / 1000;
  return { sent, seconds, eventsPerSecond: sent / seconds, bytes, perPage, firstId, lastId: firstId + sent - 1 };
}
