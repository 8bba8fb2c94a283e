// bench/push: pyro push of a three-host inventory's distributions to three simulated hosts, against the same
// bytes sent with three parallel OpenSSH `ssh HOST 'cat > FILE' < FILE`, measured in the same run.
// Prints per-run figures, then `repush-seconds: Y` and, last, `push-ratio: X` (pyro time / OpenSSH time).
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ArtifactCache } from '../src/artifacts/cache.js';
import { artifactNeeds } from '../src/artifacts/needs.js';
import { loadInventory } from '../src/services/catalog.js';
import { createTestbed, type Testbed } from '../test/testbed/testbed.js';
import { PYRO } from '../test/helpers/cli.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

function inventory(tb: Testbed): string {
  const [h1, h2, h3] = tb.hosts;
  return `cluster: { name: bench }
defaults: { ssh: { user: root, identity: ${tb.identity} } }
artifacts: { sources: [local, assemble] }
hosts:
  - { name: h1, address: ${h1!.address}, roles: [hdfs-namenode, yarn-resourcemanager, kafka-controller, kafka-broker, hdfs-datanode, yarn-nodemanager, spark-history] }
  - { name: h2, address: ${h2!.address}, roles: [hdfs-datanode, yarn-nodemanager, kafka-controller, kafka-broker, flume] }
  - { name: h3, address: ${h3!.address}, roles: [hdfs-datanode, yarn-nodemanager, kafka-controller, kafka-broker, flume] }
services: { hdfs: { replication: 3 } }
`;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const tb = await createTestbed(3);
  try {
    const work = mkdtempSync(path.join(os.tmpdir(), 'pyro-bench-'));
    const inv = path.join(work, 'bench.yaml');
    writeFileSync(inv, inventory(tb));
    const state = path.join(work, 'state');
    mkdirSync(path.join(state, 'clusters', 'bench'), { recursive: true });
    copyFileSync(tb.knownHosts, path.join(state, 'clusters', 'bench', 'known_hosts'));
    const env = { PYRO_STATE_DIR: state, NO_COLOR: '1' };

    const fetch = await execa(PYRO, ['fetch', '-i', inv], { env, reject: false, stdin: 'ignore' });
    if (fetch.exitCode !== 0) throw new Error(`pyro fetch failed:\n${fetch.stdout}\n${fetch.stderr}`);
    const { inventory: parsed } = await loadInventory(inv);
    const cache = new ArtifactCache();
    const needs = artifactNeeds(parsed);
    const perHost = await Promise.all(
      needs.perHost.map(async (h) => ({
        address: h.spec.address,
        blobs: await Promise.all(
          h.components.map(async (c) => cache.blobPath((await cache.peek(c, needs.recipes.find((r) => r.component === c)!.version))!.sha256)),
        ),
      })),
    );
    const bytes = perHost.reduce((s, h) => s + h.blobs.length, 0);
    const ssh = (address: string, cmd: string, stdinFile?: string) =>
      execa('ssh', [...tb.sshOptions, address, cmd], { inputFile: stdinFile, stdin: stdinFile ? undefined : 'ignore' });
    const wipe = () => Promise.all(tb.hosts.map((h) => ssh(h.address, 'rm -rf /opt/pyro/* /var/lib/pyro/bench-*')));

    const pyroTimes: number[] = [];
    const sshTimes: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await wipe();
      const tSsh = await timed(() =>
        Promise.all(
          perHost.map(async (h) => {
            for (const b of h.blobs) await ssh(h.address, `cat > /var/lib/pyro/bench-${path.basename(b)}`, b);
          }),
        ),
      );
      await wipe();
      const tPyro = await timed(async () => {
        const r = await execa(PYRO, ['push', '-i', inv], { env, reject: false, stdin: 'ignore' });
        if (r.exitCode !== 0) throw new Error(`pyro push failed:\n${r.stdout}\n${r.stderr}`);
      });
      sshTimes.push(tSsh);
      pyroTimes.push(tPyro);
      console.log(`round ${round}: openssh ${tSsh.toFixed(2)} s, pyro ${tPyro.toFixed(2)} s, ratio ${(tPyro / tSsh).toFixed(2)}`);
    }
    const repush = await timed(async () => {
      const r = await execa(PYRO, ['push', '-i', inv], { env, reject: false, stdin: 'ignore' });
      if (!/nothing to push/.test(r.stdout)) throw new Error(`second push changed something:\n${r.stdout}\n${r.stderr}`);
    });
    await wipe();
    const best = (xs: number[]) => Math.min(...xs);
    const totalMb =
      (await Promise.all(perHost.flatMap((h) => h.blobs.map(async (b) => (await import('node:fs/promises')).stat(b))))).reduce((s, st) => s + st.size, 0) /
      1048576;
    console.log(`pushed ${totalMb.toFixed(0)} MiB in ${bytes} distributions to 3 hosts per run; best of ${ROUNDS} rounds each`);
    console.log(`openssh-seconds: ${best(sshTimes).toFixed(2)}`);
    console.log(`pyro-seconds: ${best(pyroTimes).toFixed(2)}`);
    console.log(`repush-seconds: ${repush.toFixed(2)}`);
    console.log(`push-ratio: ${(best(pyroTimes) / best(sshTimes)).toFixed(2)}`);
  } finally {
    await tb.destroy();
  }
}

await main();
