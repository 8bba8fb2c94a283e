import { openSession } from '../../phases/open.js';
import { drainContext } from '../../phases/retire.js';
import { brokers, nodeId } from '../../services/kafka/endpoints.js';
import { leaderElection, partitionsOf, reassign } from '../../services/kafka/drain.js';
import { finalizeFeatures } from '../../services/kafka/features.js';
import { balancePlan } from '../../services/kafka/reassign.js';
import { appendHistory } from '../../state/history.js';
import { rootCause } from '../../util/errors.js';
import type { RunContext } from '../context.js';

/** A locked, recorded session on the broker hosts (where Kafka's tools run) for `pyro kafka <verb>`. */
function kafkaSession(verb: string, o: { inventory: string; dryRun?: boolean; json?: boolean }, ctx: RunContext) {
  return openSession({
    inventory: o.inventory,
    command: `pyro kafka ${verb}`,
    out: ctx.out,
    signal: ctx.signal,
    quiet: Boolean(o.json),
    dryRun: o.dryRun,
    lock: true,
    history: true,
    hostFilter: (h) => h.roles.includes('kafka-broker'),
  });
}

export interface RebalanceOptions {
  inventory: string;
  throttle: number;
  dryRun?: boolean;
  json?: boolean;
  timeout?: number;
}

/**
 * `pyro kafka rebalance`: evens out partition replicas and preferred leaders across the inventory's brokers (new
 * brokers get partitions only this way), moving them throttled, and waits until every move is done.
 */
export async function kafkaRebalanceCommand(o: RebalanceOptions, ctx: RunContext): Promise<void> {
  const t0 = Date.now();
  const quiet = Boolean(o.json);
  const s = await kafkaSession('rebalance', o, ctx);
  const changes: string[] = [];
  try {
    const ids = brokers(s.inv).map((b) => nodeId(s.ids, b));
    const parts = await partitionsOf(s.inv);
    const plan = balancePlan(parts, ids);
    const before = new Map(parts.map((p) => [`${p.topic}-${p.partition}`, p.replicas]));
    for (const p of plan)
      changes.push(`kafka: ${p.topic}-${p.partition} replicas ${before.get(`${p.topic}-${p.partition}`)!.join(',')} -> ${p.replicas.join(',')}`);
    if (!quiet) {
      const count = (xs: number[][]) => ids.map((id) => `${id}: ${xs.filter((r) => r.includes(id)).length}`).join(', ');
      const after = parts.map((p) => plan.find((x) => x.topic === p.topic && x.partition === p.partition)?.replicas ?? p.replicas);
      ctx.out.info(`replicas per broker: ${count(parts.map((p) => p.replicas))}${plan.length ? ` -> ${count(after)}` : ''}`);
      for (const c of changes) ctx.out.info(`  ${o.dryRun ? 'would move ' : ''}${c.slice('kafka: '.length)}`);
      if (!plan.length) ctx.out.info(`nothing to move: ${parts.length} partitions already even across ${ids.length} brokers`);
    }
    if (!o.dryRun && plan.length) {
      const dc = { ...drainContext(s, o.timeout ?? 3600), log: (l: string) => !quiet && ctx.out.info(`   ${l}`) };
      await reassign(dc, plan, o.throttle * 1048576);
      await leaderElection(dc);
      await appendHistory(s.state.dir, { run: s.lock?.run, command: 'kafka rebalance', result: 'ok', seconds: (Date.now() - t0) / 1000, changes });
    }
    if (o.json) ctx.out.data({ ok: true, dryRun: Boolean(o.dryRun), moved: plan, changes, seconds: (Date.now() - t0) / 1000 });
    else if (!o.dryRun && plan.length) ctx.out.info(`rebalanced: ${plan.length} partitions moved in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    if (!o.dryRun)
      await appendHistory(s.state.dir, {
        run: s.lock?.run,
        command: 'kafka rebalance',
        result: ctx.signal.aborted ? 'cancelled' : 'failed',
        seconds: (Date.now() - t0) / 1000,
        changes,
        error: (rootCause(e) as Error).message.split('\n')[0],
      }).catch(() => undefined);
    throw e;
  } finally {
    await s.close();
  }
}

export interface FinalizeOptions {
  inventory: string;
  dryRun?: boolean;
  json?: boolean;
}

/** `pyro kafka finalize`: the feature levels an upgrade held (`up --no-finalize`) raised to the running release's. */
export async function kafkaFinalizeCommand(o: FinalizeOptions, ctx: RunContext): Promise<void> {
  const t0 = Date.now();
  const quiet = Boolean(o.json);
  const s = await kafkaSession('finalize', o, ctx);
  try {
    const dc = { ...drainContext(s, 120), dryRun: Boolean(o.dryRun), log: (l: string) => !quiet && ctx.out.info(`   ${l}`) };
    const r = await finalizeFeatures(dc);
    const changes = r.updates.map((u) => `kafka: finalise ${u.feature} ${u.from} -> ${u.to}`);
    if (!quiet) {
      for (const u of r.updates) ctx.out.info(`${o.dryRun ? 'would raise' : 'raised'} ${u.feature} ${u.from} -> ${u.to} (Kafka ${r.release})`);
      if (!r.updates.length) ctx.out.info(`nothing to finalise: ${r.skipped ?? `the features are at Kafka ${r.release}'s levels`}`);
    }
    if (!o.dryRun && r.updates.length)
      await appendHistory(s.state.dir, { run: s.lock?.run, command: 'kafka finalize', result: 'ok', seconds: (Date.now() - t0) / 1000, changes });
    if (o.json) ctx.out.data({ ok: true, dryRun: Boolean(o.dryRun), release: r.release, updates: r.updates, skipped: r.skipped });
  } finally {
    await s.close();
  }
}
