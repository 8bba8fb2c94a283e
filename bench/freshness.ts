// bench/freshness: how fresh the dashboard's table is when data comes from a log file. Three simulated hosts; a
// Flume agent on h2 tails a web access log into `access-log`; the sample job (10-second windows, trigger
// BENCH_TRIGGER, default 1 second) counts page views into PostgreSQL. pyro's writer appends BENCH_RATE lines/s
// (default 500) to the log on h2 for BENCH_SECONDS (default 60), after a 20-second warm-up at the same rate and a
// pause longer than a window. The job's own micro-batch figures (sampled from its progress reports) are printed too.
// A line is counted once the PostgreSQL row of its window and page holds at least its rank among that window's and
// page's lines (lines travel over three partitions, so this takes the k-th line written to be seen when k are
// counted). PostgreSQL is polled every 100 ms; a line's freshness is the first poll that saw it counted minus the
// time it was written to the log.
// Last line: `freshness-p99-seconds: X` (goal <= 5); before it the p50 and the lines never seen.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { connectSession } from '../src/phases/open.js';
import { loadInventory } from '../src/services/catalog.js';
import { ClusterState } from '../src/state/cluster-state.js';
import { pageOf } from '../src/produce/access-log.js';
import { appendAccessLog } from '../src/produce/to-file.js';
import { jobProgress } from '../src/services/spark/jobs/progress.js';
import { Output } from '../src/ui/output.js';
import { PYRO, ROOT } from '../test/helpers/cli.js';
import { createTestbed } from '../test/testbed/testbed.js';
import { watchWindowCounts } from './lib/window-counts.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WINDOW_MS = 10_000;
// The job's micro-batch trigger: a second, the job's batches take about 1.5 s here, so they run back to back.
const TRIGGER = process.env.BENCH_TRIGGER ?? '1 second';
// The agent's channel: file (pyro's default, with a Kafka sink) or kafka (the source writes through a Kafka channel).
const CHANNEL = process.env.BENCH_FLUME_CHANNEL ?? 'file';
const LOG = '/var/lib/pyro/web/access.log'; // private to h2

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function main(): Promise<void> {
  const tb = await createTestbed(3);
  const work = mkdtempSync(path.join(os.tmpdir(), 'pyro-bench-fresh-'));
  chmodSync(work, 0o755); // PostgreSQL (the postgres user) keeps its data below it
  const inventory = path.join(work, 'cluster.yaml');
  const state = path.join(work, 'state');
  const env = { PYRO_STATE_DIR: state, NO_COLOR: '1' };
  try {
    const [h1, h2, h3] = tb.hosts;
    const worker = 'hdfs-datanode, yarn-nodemanager, kafka-controller, kafka-broker';
    writeFileSync(
      inventory,
      `cluster: { name: bench-fresh }
defaults:
  ssh: { user: root, identity: ${tb.identity} }
hosts:
  - { name: h1, address: ${h1!.address}, roles: [hdfs-namenode, yarn-resourcemanager, ${worker}, postgresql] }
  - { name: h2, address: ${h2!.address}, roles: [${worker}, flume] }
  - { name: h3, address: ${h3!.address}, roles: [${worker}] }
services:
  hdfs: { namenode: { heap: 384m }, datanode: { heap: 256m } }
  yarn: { resourcemanager: { heap: 384m }, nodemanager: { heap: 256m, memoryMb: 2048, vcores: 2 } }
  kafka: { controller: { heap: 256m }, broker: { heap: 384m } }
  flume:
    heap: 256m
    sources:
      - { name: access, type: taildir, topic: access-log, paths: [${LOG}], createDir: true, channel: ${CHANNEL} }
topics:
  - { name: access-log, partitions: 3, replicationFactor: 3 }
jobs:
  - { name: page-views, main: ${path.join(ROOT, 'jobs', 'page_views.py')}, topics: [access-log], args: [access-log, page_views, "10 seconds"], trigger: "${TRIGGER}" }
`,
    );
    mkdirSync(path.join(state, 'clusters', 'bench-fresh'), { recursive: true });
    copyFileSync(tb.knownHosts, path.join(state, 'clusters', 'bench-fresh', 'known_hosts'));
    const up = await execa(PYRO, ['up', '-i', inventory], { env, reject: false, stdin: 'ignore' });
    if (up.exitCode !== 0) throw new Error(`pyro up failed:\n${up.stdout}\n${up.stderr}`);

    process.env.PYRO_STATE_DIR = state;
    const { inventory: inv } = await loadInventory(inventory);
    const ac = new AbortController();
    const s = await connectSession(inv, new ClusterState(inv.clusterName), undefined, {
      out: new Output({ json: true }),
      signal: ac.signal,
      quiet: true,
      hostFilter: (h) => h.name === 'h2',
    });
    const secrets = JSON.parse(readFileSync(path.join(state, 'clusters', 'bench-fresh', 'secrets.json'), 'utf8')) as Record<string, string>;
    const db = new pg.Client({ host: h1!.address, port: 5432, user: 'pyro', password: secrets['postgresql-password'], database: 'serving' });
    await db.connect();
    try {
      const host = s.hosts.get('h2')!;
      // Warm-up at the measured rate (Python workers, code generation, JVMs), then a pause longer than a window.
      await appendAccessLog(host, LOG, { rate: RATE, seconds: 20, firstId: 1_000_000_000 });
      await new Promise((r) => setTimeout(r, 12_000));

      const counts = watchWindowCounts(db);
      // The job's own account of each micro-batch (where the time goes), sampled from its progress reports.
      const batches = new Map<number, Record<string, number>>();
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const p = await jobProgress(inv, 'page-views').catch(() => undefined);
          if (p?.batchId !== undefined && p.durations) batches.set(p.batchId, p.durations);
          await new Promise((res) => setTimeout(res, 700));
        }
      })();

      // Each line's key and write time. The log's time has whole seconds: the job windows lines by that second.
      const lines: { key: string; ms: number }[] = [];
      const r = await appendAccessLog(host, LOG, {
        rate: RATE,
        seconds: SECONDS,
        firstId: 1,
        onChunk: (first, count, ms) => {
          const w = Math.floor((Math.floor(ms / 1000) * 1000) / WINDOW_MS) * WINDOW_MS;
          for (let n = first; n < first + count; n++) lines.push({ key: `${w}|${pageOf(n)}`, ms });
        },
      });
      const settleEnd = Date.now() + 30_000;
      const rank = new Map<string, number>();
      const latencies: number[] = [];
      let missing = 0;
      while (Date.now() < settleEnd) await new Promise((res) => setTimeout(res, 500));
      const seen = await counts.stop();
      sampling = false;
      await sampler;
      for (const l of lines) {
        const k = (rank.get(l.key) ?? 0) + 1;
        rank.set(l.key, k);
        const hit = (seen.get(l.key) ?? []).find((x) => x.views >= k);
        if (hit) latencies.push(hit.at - l.ms);
        else missing++;
      }
      console.log(
        `${CHANNEL} channel; ${r.written} lines at ${r.linesPerSecond.toFixed(0)}/s for ${r.seconds.toFixed(0)} s into ${LOG} on h2; ${latencies.length} counted, ${missing} never`,
      );
      const parts = ['triggerExecution', 'latestOffset', 'queryPlanning', 'getBatch', 'addBatch', 'walCommit', 'commitOffsets'];
      const sampled = [...batches.values()];
      console.log(
        `job micro-batches sampled: ${sampled.length}; p50 ms: ${parts
          .map(
            (k) =>
              `${k} ${pct(
                sampled.map((d) => d[k] ?? 0),
                50,
              )}`,
          )
          .join(', ')}`,
      );
      console.log(`freshness-p50-seconds: ${(pct(latencies, 50) / 1000).toFixed(2)}`);
      console.log(`freshness-p99-seconds: ${(pct(latencies, 99) / 1000).toFixed(2)}`);
    } finally {
      await db.end();
      await s.close();
    }
  } finally {
    await execa(PYRO, ['down', '-i', inventory], { env, reject: false, stdin: 'ignore' });
    await tb.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
