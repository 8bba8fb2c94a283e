// bench/up-noop: a second `pyro up` with nothing changed, on three simulated hosts running HDFS, YARN and Kafka.
// Measures its wall time (median of 5) and the SSH logins it causes per host (from each sshd's own log), with
// one OpenSSH `ssh HOST true` round trip to every host as the same-run baseline.
// Last line: `noop-up-seconds: X` (goal <= 3); before it `ssh-connections-per-host: N` (goal 1).
import { benchCluster, median, sshBaseline } from './lib/cluster.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function main(): Promise<void> {
  const c = await benchCluster();
  try {
    await c.pyro(['up']);
    const times: number[] = [];
    const logins: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const before = c.logins();
      const r = await c.pyro(['up', '--json']);
      const changes = (JSON.parse(r.stdout) as { changes: string[] }).changes;
      if (changes.length) throw new Error(`a no-op up changed something: ${changes.join('; ')}`);
      times.push(r.seconds);
      logins.push(Math.max(...c.logins().map((n, k) => n - before[k]!)));
    }
    const ssh = await sshBaseline(c);
    const noop = median(times);
    console.log(`no-op up: ${times.map((t) => t.toFixed(2)).join(', ')} s; OpenSSH round trip to all 3 hosts: ${ssh.toFixed(2)} s`);
    console.log(`noop-up-vs-ssh-ratio: ${(noop / ssh).toFixed(2)}`);
    console.log(`ssh-connections-per-host: ${Math.max(...logins)}`);
    console.log(`noop-up-seconds: ${noop.toFixed(2)}`);
  } finally {
    await c.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
