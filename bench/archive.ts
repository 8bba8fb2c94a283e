// bench/archive: how far the lake lags behind Kafka. Three simulated hosts; pyro's archive job writes topic
// `events` into lake table events_raw (trigger BENCH_TRIGGER, default 10 seconds) while `pyro produce` sends
// BENCH_RATE events/s (default 5,000) for BENCH_SECONDS (default 60). This machine lists the table's hours every
// second through WebHDFS; each file is stamped when first seen, and each row's lag is that stamp minus the event's
// own time (event_time, read from the file). The lag includes the trigger wait, the batch, the move into place and
// up to a second of polling.
// Last lines: `archive-lag-p99-seconds: X` and `archive-lag-p99-triggers: X` (goal <= 3).
import { mkdirSync, copyFileSync, mkdtempSync, chmodSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parquetReadObjects } from 'hyparquet';
import { WebHdfs } from '../src/clients/webhdfs.js';
import { parseDuration } from '../src/util/duration.js';
import { isDataFile, partitionsOf } from '../src/services/lake/partitions.js';
import { PYRO } from '../test/helpers/cli.js';
import { threeHostInventory } from '../test/helpers/stack-inventory.js';
import { createTestbed } from '../test/testbed/testbed.js';

const RATE = Number(process.env.BENCH_RATE ?? 5000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const TRIGGER = process.env.BENCH_TRIGGER ?? '10 seconds';
const DIR = '/lake/events_raw';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * p) - 1)]!;

/** The event_time of every row of a Parquet file on HDFS, in epoch ms. */
async function eventTimes(fs: WebHdfs, file: string, length: number): Promise<number[]> {
  const rows = (await parquetReadObjects({
    file: {
      byteLength: length,
      slice: async (start, end) => {
        const b = await fs.readRange(file, start, (end ?? length) - start);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      },
    },
    columns: ['event_time'],
  })) as { event_time: Date | bigint | number }[];
  return rows.map((r) => (r.event_time instanceof Date ? r.event_time.getTime() : Number(r.event_time) / 1000));
}

async function main(): Promise<void> {
  const tb = await createTestbed(3);
  const work = mkdtempSync(path.join(os.tmpdir(), 'pyro-bench-archive-'));
  chmodSync(work, 0o755);
  try {
    const inventory = path.join(work, 'cluster.yaml');
    writeFileSync(inventory, threeHostInventory(tb, 'bench-archive', [[], [], []], `lake:\n  - { name: events_raw, topic: events, trigger: ${TRIGGER} }\n`));
    const state = path.join(work, 'state');
    mkdirSync(path.join(state, 'clusters', 'bench-archive'), { recursive: true });
    copyFileSync(tb.knownHosts, path.join(state, 'clusters', 'bench-archive', 'known_hosts'));
    const pyro = (args: string[]) => execa(PYRO, [...args, '-i', inventory], { env: { PYRO_STATE_DIR: state, NO_COLOR: '1' }, stdin: 'ignore' });
    await pyro(['up']);
    const fs = new WebHdfs(`http://${tb.hosts[0]!.address}:9870`, 'root');
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
    await pyro(['produce', '--rate', String(RATE), '--count', String(total), '--json']);
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
    const p99 = pct(lags, 0.99);
    console.log(`files: ${seen.size}, rows: ${lags.length}`);
    console.log(
      `lag: p50 ${pct(lags, 0.5).toFixed(2)} s, p95 ${pct(lags, 0.95).toFixed(2)} s, max ${lags.reduce((a, b) => Math.max(a, b), 0).toFixed(2)} s (trigger ${trigger} s)`,
    );
    console.log(`archive-lag-p99-seconds: ${p99.toFixed(2)}`);
    console.log(`archive-lag-p99-triggers: ${(p99 / trigger).toFixed(2)}`);
  } finally {
    await tb.destroy();
  }
}

await main();
