// bench/archive: how far the lake lags behind Kafka. Three simulated hosts; pyro's archive job writes topic
// `events` into lake table events_raw (trigger BENCH_TRIGGER, default 10 seconds) while `pyro produce` sends
// BENCH_RATE events/s (default 5,000) for BENCH_SECONDS (default 60). This machine lists the table's hours every
// second through WebHDFS; each file is stamped when first seen, and each row's lag is that stamp minus the event's
// own time (event_time, read from the file). The lag includes the trigger wait, the batch, the move into place and
// up to a second of polling.
// Last lines: `archive-lag-p99-seconds: X` and `archive-lag-p99-triggers: X` (goal <= 3).
import { parquetReadObjects } from 'hyparquet';
import type { WebHdfs } from '../src/clients/webhdfs.js';
import { loadInventory } from '../src/services/catalog.js';
import { hdfs } from '../src/services/spark/jobs/submit.js';
import { parseDuration } from '../src/util/duration.js';
import { hdfsParquetFile, isDataFile, partitionsOf } from '../src/services/lake/partitions.js';
import { threeHostInventory } from '../test/helpers/stack-inventory.js';
import { benchCluster, percentile } from './lib/cluster.js';

const RATE = Number(process.env.BENCH_RATE ?? 5000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const TRIGGER = process.env.BENCH_TRIGGER ?? '10 seconds';
const DIR = '/lake/events_raw';

/** The event_time of every row of a Parquet file on HDFS, in epoch ms. */
async function eventTimes(fs: WebHdfs, file: string, length: number): Promise<number[]> {
  const rows = (await parquetReadObjects({ file: hdfsParquetFile(fs, file, length), columns: ['event_time'] })) as { event_time: Date | bigint | number }[];
  return rows.map((r) => (r.event_time instanceof Date ? r.event_time.getTime() : Number(r.event_time) / 1000));
}

async function main(): Promise<void> {
  const c = await benchCluster({
    cluster: 'bench-archive',
    inventory: (tb, cluster) => threeHostInventory(tb, cluster, [[], [], []], `lake:\n  - { name: events_raw, topic: events, trigger: ${TRIGGER} }\n`),
  });
  try {
    await c.pyro(['up']);
    const fs = hdfs((await loadInventory(c.inventory)).inventory);
    const seen = new Map<string, { at: number; length: number }>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const now = Date.now();
        for (const p of await partitionsOf(fs, DIR).catch(() => [])) {
          for (const f of (await fs.list(p.path).catch(() => undefined)) ?? []) {
            const file = `${p.path}/${f.name}`;
            if (!f.dir && isDataFile(f.name) && !seen.has(file)) seen.set(file, { at: now, length: f.length });
          }
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - now))));
      }
    })();
    const total = RATE * SECONDS;
    console.log(`producing ${total} events at ${RATE}/s into events; archive trigger ${TRIGGER}`);
    await c.pyro(['produce', '--rate', String(RATE), '--count', String(total), '--json']);
    // Until every event is in the lake (the last trigger, then a margin).
    const lags: number[] = [];
    const read = new Set<string>();
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      for (const [file, s] of seen) {
        if (read.has(file)) continue;
        read.add(file);
        for (const t of await eventTimes(fs, file, s.length)) lags.push((s.at - t) / 1000);
      }
      if (lags.length >= total) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    polling = false;
    await poll;
    if (lags.length < total) throw new Error(`the lake holds ${lags.length} of ${total} events after the wait`);
    const trigger = parseDuration(TRIGGER)! / 1000;
    const p99 = percentile(lags, 0.99);
    console.log(`files: ${seen.size}, rows: ${lags.length}`);
    console.log(
      `lag: p50 ${percentile(lags, 0.5).toFixed(2)} s, p95 ${percentile(lags, 0.95).toFixed(2)} s, max ${lags.reduce((a, b) => Math.max(a, b), 0).toFixed(2)} s (trigger ${trigger} s)`,
    );
    console.log(`archive-lag-p99-seconds: ${p99.toFixed(2)}`);
    console.log(`archive-lag-p99-triggers: ${(p99 / trigger).toFixed(2)}`);
  } finally {
    await c.destroy();
  }
}

await main();
