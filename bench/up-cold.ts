// bench/up-cold: a cold `pyro up` (bare hosts: push, format, start every tier) on three simulated hosts, against
// the sum along the tier order of each tier's own wait (its first start command to its gate passing), both from
// the same run. The difference is pyro's overhead: connecting, reading state, pushing, writing configs, planning.
// Last line: `up-overhead-ratio: X` (goal <= 1.3).
import { benchCluster } from './lib/cluster.js';

interface UpJson {
  seconds: number;
  tiers: { role: string; waitSeconds: number }[];
}

async function main(): Promise<void> {
  const c = await benchCluster();
  try {
    const up = await c.pyro(['up', '--json']);
    const r = JSON.parse(up.stdout) as UpJson;
    const waits = r.tiers.reduce((n, t) => n + t.waitSeconds, 0);
    for (const t of r.tiers) console.log(`tier ${t.role}: ${t.waitSeconds.toFixed(1)} s from start to gate`);
    console.log(`cold up: ${up.seconds.toFixed(1)} s wall (pyro reports ${r.seconds.toFixed(1)} s); tiers' own waits: ${waits.toFixed(1)} s`);
    console.log(`up-overhead-ratio: ${(up.seconds / waits).toFixed(2)}`);
  } finally {
    await c.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
