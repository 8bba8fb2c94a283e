// Partition reassignments as data: which replicas move where. Pure, so the plans are unit-tested; running them
// (kafka-reassign-partitions on a broker host) is in drain.ts.

/** A partition's replicas, the preferred leader first. */
export interface PartitionReplicas {
  topic: string;
  partition: number;
  replicas: number[];
}

const key = (p: PartitionReplicas) => `${p.topic}-${p.partition}`;

function loads(parts: readonly PartitionReplicas[], brokers: readonly number[]): Map<number, number> {
  const m = new Map(brokers.map((b) => [b, 0]));
  for (const p of parts) for (const r of p.replicas) if (m.has(r)) m.set(r, m.get(r)! + 1);
  return m;
}

/** The least-loaded broker of `candidates` that `replicas` does not hold yet (lowest id on ties). */
function lightest(load: Map<number, number>, candidates: readonly number[], replicas: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const b of candidates) {
    if (replicas.includes(b)) continue;
    if (best === undefined || load.get(b)! < load.get(best)! || (load.get(b) === load.get(best) && b < best)) best = b;
  }
  return best;
}

/**
 * Moves every replica off `leaving` onto the least-loaded staying broker, in place (a leaving preferred leader is
 * replaced by its successor in the same position). Returns only the partitions that change.
 */
export function drainPlan(parts: readonly PartitionReplicas[], leaving: readonly number[], staying: readonly number[]): PartitionReplicas[] {
  const load = loads(parts, staying);
  const out: PartitionReplicas[] = [];
  for (const p of [...parts].sort((a, b) => key(a).localeCompare(key(b)))) {
    if (!p.replicas.some((r) => leaving.includes(r))) continue;
    const replicas = [...p.replicas];
    for (let i = 0; i < replicas.length; i++) {
      if (!leaving.includes(replicas[i]!)) continue;
      const to = lightest(load, staying, replicas);
      if (to === undefined) throw new Error(`${key(p)}: no staying broker left for its ${replicas.length} replicas`);
      replicas[i] = to;
      load.set(to, load.get(to)! + 1);
    }
    out.push({ ...p, replicas });
  }
  return out;
}

/**
 * Evens out replicas across `brokers` (no two differ by more than one), then preferred leaders the same way by
 * reordering replicas. Moves as few replicas as it can. Returns only the partitions that change.
 */
export function balancePlan(parts: readonly PartitionReplicas[], brokers: readonly number[]): PartitionReplicas[] {
  const next = new Map(parts.map((p) => [key(p), { ...p, replicas: [...p.replicas] }]));
  const all = [...next.values()].sort((a, b) => key(a).localeCompare(key(b)));
  const load = loads(all, brokers);
  for (;;) {
    const sorted = [...brokers].sort((a, b) => load.get(b)! - load.get(a)! || a - b);
    const hi = sorted[0]!;
    const lo = sorted[sorted.length - 1]!;
    if (load.get(hi)! - load.get(lo)! <= 1) break;
    // A follower first, so fewer leaders change.
    const p = all.find((x) => x.replicas.indexOf(hi) > 0 && !x.replicas.includes(lo)) ?? all.find((x) => x.replicas.includes(hi) && !x.replicas.includes(lo));
    if (!p) break;
    p.replicas[p.replicas.indexOf(hi)] = lo;
    load.set(hi, load.get(hi)! - 1);
    load.set(lo, load.get(lo)! + 1);
  }
  const leaders = new Map(brokers.map((b) => [b, 0]));
  for (const p of all) if (leaders.has(p.replicas[0]!)) leaders.set(p.replicas[0]!, leaders.get(p.replicas[0]!)! + 1);
  for (;;) {
    const sorted = [...brokers].sort((a, b) => leaders.get(b)! - leaders.get(a)! || a - b);
    const hi = sorted[0]!;
    const lo = sorted[sorted.length - 1]!;
    if (leaders.get(hi)! - leaders.get(lo)! <= 1) break;
    const p = all.find((x) => x.replicas[0] === hi && x.replicas.includes(lo));
    if (!p) break;
    const i = p.replicas.indexOf(lo);
    p.replicas[i] = hi;
    p.replicas[0] = lo;
    leaders.set(hi, leaders.get(hi)! - 1);
    leaders.set(lo, leaders.get(lo)! + 1);
  }
  const before = new Map(parts.map((p) => [key(p), p.replicas.join(',')]));
  return all.filter((p) => before.get(key(p)) !== p.replicas.join(','));
}

/** The reassignment file kafka-reassign-partitions reads. */
export function reassignmentJson(plan: readonly PartitionReplicas[]): string {
  return JSON.stringify({ version: 1, partitions: plan.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas })) });
}

/** From `--verify`'s output: partitions still moving (empty once every one is completed). */
export function stillMoving(verifyOutput: string): string[] {
  return [...verifyOutput.matchAll(/Reassignment of partition (\S+) is still in progress/g)].map((m) => m[1]!);
}
