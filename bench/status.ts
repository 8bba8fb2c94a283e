// bench/status: `pyro status` wall time on three simulated hosts running HDFS, YARN and Kafka (median of 5), with
// one OpenSSH `ssh HOST true` round trip to every host as the same-run baseline.
// Last line: `status-seconds: X` (goal <= 2).
import { benchCluster, median, sshBaseline } from './lib/cluster.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function main(): Promise<void> {
  const c = await benchCluster();
  try {
    await c.pyro(['up']);
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) times.push((await c.pyro(['status', '--json'])).seconds);
    const ssh = await sshBaseline(c);
    const st = median(times);
    console.log(`status: ${times.map((t) => t.toFixed(2)).join(', ')} s; OpenSSH round trip to all 3 hosts: ${ssh.toFixed(2)} s`);
    console.log(`status-vs-ssh-ratio: ${(st / ssh).toFixed(2)}`);
    console.log(`status-seconds: ${st.toFixed(2)}`);
  } finally {
    await c.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
