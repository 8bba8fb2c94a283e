// A three-host cluster for the tier benchmarks: testbed, inventory (small heaps, one topic), state dir with the
// testbed's host keys, and helpers to run the CLI and count SSH logins per host.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { PYRO, ROOT } from '../../test/helpers/cli.js';
import { threeHostInventory } from '../../test/helpers/stack-inventory.js';
import { createTestbed, type Testbed } from '../../test/testbed/testbed.js';

export interface BenchCluster {
  tb: Testbed;
  cluster: string;
  state: string;
  inventory: string;
  env: Record<string, string>;
  /** Runs pyro with the bench inventory; throws with its output when it exits non-zero. */
  pyro(args: string[]): Promise<{ stdout: string; stderr: string; seconds: number }>;
  /** "Accepted publickey" lines in each host's sshd log so far. */
  logins(): number[];
  /** Wall time of one `ssh HOST true` to every host in parallel (OpenSSH, no multiplexing): the baseline. */
  sshRoundTrip(): Promise<number>;
  destroy(): Promise<void>;
}

function inventoryYaml(tb: Testbed, withJob: boolean, withSuperset: boolean): string {
  const job = withJob
    ? `jobs:\n  - { name: page-views, main: ${path.join(ROOT, 'jobs', 'page_views.py')}, topics: [events], args: [events, page_views, "10 seconds"] }\n`
    : '';
  const superset = withSuperset
    ? `datasets: [{ table: page_views }]\ndashboards: [{ template: ${path.join(ROOT, 'templates', 'superset', 'page-views')} }]\n`
    : '';
  return threeHostInventory(tb, 'bench-tiers', [withJob ? ['postgresql'] : [], [], withSuperset ? ['superset'] : []], job + superset);
}

/**
 * `withJob`: PostgreSQL on h1 and the sample job (10-second windows) declared, so `pyro up` submits it.
 * `withSuperset` (with withJob): Superset on h3 with the page_views dataset and the sample dashboard.
 * `inventory`: a bench's own inventory instead, for cluster `cluster`; `hosts`: simulated hosts (default 3).
 */
export async function benchCluster(
  opts: { withJob?: boolean; withSuperset?: boolean; cluster?: string; inventory?: (tb: Testbed, cluster: string) => string; hosts?: number } = {},
): Promise<BenchCluster> {
  const cluster = opts.cluster ?? 'bench-tiers';
  const tb = await createTestbed(opts.hosts ?? 3);
  const work = mkdtempSync(path.join(os.tmpdir(), `pyro-${cluster}-`));
  chmodSync(work, 0o755); // PostgreSQL (the postgres user) keeps its data below it
  const inventory = path.join(work, 'cluster.yaml');
  writeFileSync(
    inventory,
    opts.inventory ? opts.inventory(tb, cluster) : inventoryYaml(tb, Boolean(opts.withJob || opts.withSuperset), Boolean(opts.withSuperset)),
  );
  const state = path.join(work, 'state');
  mkdirSync(path.join(state, 'clusters', cluster), { recursive: true });
  copyFileSync(tb.knownHosts, path.join(state, 'clusters', cluster, 'known_hosts'));
  const env = { PYRO_STATE_DIR: state, NO_COLOR: '1' };
  return {
    tb,
    cluster,
    state,
    inventory,
    env,
    async pyro(args) {
      const t0 = process.hrtime.bigint();
      const r = await execa(PYRO, [...args, '-i', inventory], { env, reject: false, stdin: 'ignore' });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (r.exitCode !== 0) throw new Error(`pyro ${args.join(' ')} failed (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
      return { stdout: String(r.stdout), stderr: String(r.stderr), seconds };
    },
    logins: () => tb.hosts.map((h) => (readFileSync(path.join(tb.workdir, 'hosts', h.name, 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length),
    async sshRoundTrip() {
      const t0 = process.hrtime.bigint();
      await Promise.all(tb.hosts.map((h) => execa('ssh', [...tb.sshOptions, h.address, 'true'], { stdin: 'ignore' })));
      return Number(process.hrtime.bigint() - t0) / 1e9;
    },
    destroy: () => tb.destroy(),
  };
}

/** Median of three `sshRoundTrip`s, one after another: the same-run baseline the benches print. */
export async function sshBaseline(c: BenchCluster): Promise<number> {
  const rtts: number[] = [];
  for (let i = 0; i < 3; i++) rtts.push(await c.sshRoundTrip());
  return median(rtts);
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The p-th percentile (0 < p <= 1) of xs, nearest rank. */
export const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * p) - 1)]!;

/** The cluster's generated secrets (passwords pyro keeps in its state). */
export const secretsOf = (c: BenchCluster) =>
  JSON.parse(readFileSync(path.join(c.state, 'clusters', c.cluster, 'secrets.json'), 'utf8')) as Record<string, string>;
