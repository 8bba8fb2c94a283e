// bench/scale: `pyro check` and a no-op `pyro up` on 30 simulated hosts against the same on 3, in the same run and
// on the same test bed (its other 27 hosts idle during the 3-host rounds).
// What runs where: h1-h3 run HDFS, YARN and Kafka (h1 the masters); every host runs a Flume agent (128 MB heap)
// tailing one file straight into Kafka (a Kafka channel: no file channel, no sink): a light role whose state,
// files and HTTP metrics `up` reads on every host.
// Last line: `scale-ratio: X` = (check + no-op up on 30 hosts) / (the same on 3) (goal <= 2.5); the two verbs'
// own ratios before it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { PYRO } from '../test/helpers/cli.js';
import type { Testbed } from '../test/testbed/testbed.js';
import { benchCluster, median } from './lib/cluster.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function inventory(tb: Testbed, cluster: string, hosts: number): string {
  const worker = 'hdfs-datanode, yarn-nodemanager, kafka-controller, kafka-broker';
  const lines = tb.hosts.slice(0, hosts).map((h, i) => {
    const roles = i === 0 ? `hdfs-namenode, yarn-resourcemanager, ${worker}, flume` : i < 3 ? `${worker}, flume` : 'flume';
    return `  - { name: ${h.name}, address: ${h.address}, roles: [${roles}] }`;
  });
  return `cluster:
  name: ${cluster}
defaults:
  ssh: { user: root, identity: ${tb.identity} }
hosts:
${lines.join('\n')}
services:
  hdfs: { namenode: { heap: 384m }, datanode: { heap: 256m } }
  yarn: { resourcemanager: { heap: 384m }, nodemanager: { heap: 256m, memoryMb: 2048, vcores: 2 } }
  kafka: { controller: { heap: 256m }, broker: { heap: 384m } }
  flume:
    heap: 128m
    sources:
      - { name: app, type: taildir, topic: app, paths: [/var/log/pyro-bench/app.log], createDir: true, channel: kafka }
topics:
  - { name: app, partitions: 3, replicationFactor: 3 }
`;
}

async function main(): Promise<void> {
  const c = await benchCluster({ cluster: 'bench-scale', hosts: HOSTS, inventory: (tb, cluster) => inventory(tb, cluster, 3) });
  try {
    // The same cluster grown to every host of the test bed: scaling out adds a Flume agent on each new host.
    const big = path.join(path.dirname(c.inventory), 'cluster-grown.yaml');
    writeFileSync(big, inventory(c.tb, c.cluster, HOSTS));
    const run = async (file: string, args: string[]): Promise<number> => {
      const t0 = process.hrtime.bigint();
      const r = await execa(PYRO, [...args, '-i', file], { env: c.env, reject: false, stdin: 'ignore' });
      if (r.exitCode !== 0) throw new Error(`pyro ${args.join(' ')} -i ${file} failed (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
      if (args[0] === 'up' && args.includes('--json') && (JSON.parse(String(r.stdout)) as { changes: string[] }).changes.length) {
        throw new Error(`a no-op up changed something: ${String(r.stdout).slice(0, 2000)}`);
      }
      return Number(process.hrtime.bigint() - t0) / 1e9;
    };
    const measure = async (file: string) => {
      const checks: number[] = [];
      const ups: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        checks.push(await run(file, ['check', '--json']));
        ups.push(await run(file, ['up', '--json']));
      }
      return { check: median(checks), up: median(ups) };
    };
    await c.pyro(['up']);
    const small = await measure(c.inventory);
    const grow = await run(big, ['up']);
    const large = await measure(big);
    console.log(`what runs: h1-h3 HDFS, YARN and Kafka; all ${HOSTS} hosts a Flume agent (128 MB heap, taildir into Kafka)`);
    console.log(`scale out from 3 to ${HOSTS} hosts (pyro up, ${HOSTS - 3} Flume agents started): ${grow.toFixed(1)} s`);
    console.log(`3 hosts: check ${small.check.toFixed(2)} s, no-op up ${small.up.toFixed(2)} s (median of ${ROUNDS})`);
    console.log(`${HOSTS} hosts: check ${large.check.toFixed(2)} s, no-op up ${large.up.toFixed(2)} s (median of ${ROUNDS})`);
    console.log(`check-ratio: ${(large.check / small.check).toFixed(2)}`);
    console.log(`noop-up-ratio: ${(large.up / small.up).toFixed(2)}`);
    console.log(`scale-ratio: ${((large.check + large.up) / (small.check + small.up)).toFixed(2)}`);
  } finally {
    await c.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
