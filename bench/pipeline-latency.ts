// bench/pipeline-latency: the sample job (10-second windows, 2-second trigger) running on YARN; the generator
// writes 1000 events/s for 60 s. An event is visible once the PostgreSQL row of its window and page counts it
// (events of a page stay in order on one partition, so the row's count reaching the event's rank within its
// window and page means the event was counted). PostgreSQL is polled every 100 ms; each event's latency is
// the first poll that saw it minus its creation time. Spark's own progress reports (polled every second) give
// the batch durations. A 20-second warm-up at the same rate comes first: the figures are the steady state.
// Last line: `latency-ratio: X` = p99 latency / (trigger interval + p99 batch duration) (goal <= 1.5);
// before it `latency-p50-seconds`, `latency-p99-seconds` (goal <= 5 s).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadInventory } from '../src/services/catalog.js';
import { jobProgress } from '../src/services/spark/jobs/progress.js';
import { produceEvents } from '../src/produce/generator.js';
import { bootstrapServers } from '../src/services/kafka/endpoints.js';
import { benchCluster, secretsOf } from './lib/cluster.js';
import { watchWindowCounts } from './lib/window-counts.js';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const TRIGGER_MS = 2000;
const WINDOW_MS = 10_000;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function main(): Promise<void> {
  const c = await benchCluster({ withJob: true });
  try {
    await c.pyro(['up']);
    const { inventory: inv } = await loadInventory(c.inventory);
    const secrets = secretsOf(c);
    const db = new pg.Client({ host: c.tb.hosts[0]!.address, port: 5432, user: 'pyro', password: secrets['postgresql-password'], database: 'serving' });
    await db.connect();
    // Warm the job up at the measured rate: its first batches start Python workers, generate code and warm the
    // JVMs (4-6 s each in a first run here). Then a pause longer than a window, so no window mixes both.
    await produceEvents({ brokers: bootstrapServers(inv), topic: 'events', rate: RATE, seconds: 20, firstId: 1_000_000_000 });
    await new Promise((r) => setTimeout(r, 12_000));

    const counts = watchWindowCounts(db);
    const batchMs: number[] = [];
    const slow: { id: number; durations: Record<string, number> }[] = [];
    let polling = true;
    const progress = (async () => {
      let last = -1;
      while (polling) {
        const p = await jobProgress(inv, 'page-views').catch(() => undefined);
        if (p?.batchId !== undefined && p.batchId !== last && p.batchDurationMs !== undefined) {
          last = p.batchId;
          batchMs.push(p.batchDurationMs);
          if (p.durations) slow.push({ id: p.batchId, durations: p.durations });
        }
        await new Promise((res) => setTimeout(res, 1000));
      }
    })();

    const events: { id: number; page: string; ts: number }[] = [];
    const record = path.join(c.state, 'sent.ndjson');
    const gen = await produceEvents({ brokers: bootstrapServers(inv), topic: 'events', rate: RATE, seconds: SECONDS, record });
    for (const line of readFileSync(record, 'utf8').split('\n')) if (line) events.push(JSON.parse(line) as { id: number; page: string; ts: number });
    // Let the last events through (watermark-free: update mode emits every changed window each batch).
    await new Promise((r) => setTimeout(r, 15_000));
    polling = false;
    const [seen] = await Promise.all([counts.stop(), progress]);
    await db.end();

    // The warm-up ended 12 s before these events began, so its events sit in earlier windows: an event's rank is
    // its position among the measured events of its window and page.
    const groups = new Map<string, { id: number; ts: number }[]>();
    for (const e of events.sort((a, b) => a.id - b.id)) {
      const k = `${Math.floor(e.ts / WINDOW_MS) * WINDOW_MS}|${e.page}`;
      (groups.get(k) ?? groups.set(k, []).get(k)!).push(e);
    }
    const latencies: number[] = [];
    let missing = 0;
    for (const [k, list] of groups) {
      const history = seen.get(k) ?? [];
      list.forEach((e, i) => {
        const hit = history.find((h) => h.views >= i + 1);
        if (hit) latencies.push(hit.at - e.ts);
        else missing++;
      });
    }
    const p50 = pct(latencies, 50) / 1000;
    const p99 = pct(latencies, 99) / 1000;
    const batchP99 = pct(batchMs, 99);
    console.log(
      `${gen.sent} events at ${gen.eventsPerSecond.toFixed(0)}/s for ${gen.seconds.toFixed(0)} s; ${latencies.length} seen in PostgreSQL, ${missing} never`,
    );
    console.log(`batches: ${batchMs.length}, duration p50 ${pct(batchMs, 50)} ms, p99 ${batchP99} ms; trigger ${TRIGGER_MS} ms`);
    for (const b of slow.sort((a, b) => (b.durations.triggerExecution ?? 0) - (a.durations.triggerExecution ?? 0)).slice(0, 3)) {
      console.log(
        `slow batch ${b.id}: ${Object.entries(b.durations)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
    }
    console.log(`latency-p50-seconds: ${p50.toFixed(2)}`);
    console.log(`latency-p99-seconds: ${p99.toFixed(2)}`);
    console.log(`latency-ratio: ${(p99 / ((TRIGGER_MS + batchP99) / 1000)).toFixed(2)}`);
  } finally {
    await c.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
