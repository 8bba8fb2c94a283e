import { withAdmin } from '../../clients/kafka-admin.js';
import { HostError } from '../../util/errors.js';
import { pollUntil } from '../../util/poll.js';
import type { DrainContext, Retire } from '../runtime.js';
import { bootstrapServers, brokers, nodeId } from './endpoints.js';
import { KAFKA_HINT, tool, type ToolContext } from './tool.js';
import { drainPlan, reassignmentJson, stillMoving, type PartitionReplicas } from './reassign.js';

const REASSIGN = 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand';
const CLUSTER_TOOL = 'org.apache.kafka.tools.ClusterTool';
const CONFIG_COMMAND = 'kafka.admin.ConfigCommand';

/** Bytes per second a reassignment may copy between brokers when none is given (leaves room for producers). */
export const DEFAULT_THROTTLE = 100 * 1024 * 1024;

/** Every partition's replicas, internal topics included. */
export async function partitionsOf(inv: DrainContext['inv']): Promise<PartitionReplicas[]> {
  return withAdmin(bootstrapServers(inv), async (admin) => {
    const names = await admin.listTopics();
    const meta = names.length ? await admin.fetchTopicMetadata({ topics: names }) : { topics: [] };
    return meta.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId, replicas: [...p.replicas] })));
  });
}

/** Waits until no reassignment is running (one an interrupted run left behind finishes first). */
async function waitIdle(ctx: ToolContext): Promise<void> {
  await pollUntil(
    'waiting for the running partition reassignment',
    () =>
      withAdmin(bootstrapServers(ctx.inv), async (admin) => {
        const r = await admin.listPartitionReassignments({});
        const n = r.topics.reduce((k, t) => k + t.partitions.length, 0);
        return { done: n === 0, detail: n ? `${n} partitions still moving from an earlier reassignment` : 'no reassignment running' };
      }),
    { timeoutSec: ctx.timeoutSec, signal: ctx.signal, log: (l) => ctx.log(`kafka: ${l}`) },
  );
}

/**
 * Moves replicas as `plan` says, with kafka-reassign-partitions on a broker host, throttled to `throttle` bytes/s,
 * and waits for every partition; the tool's last `--verify` lifts the throttle.
 */
export async function reassign(ctx: ToolContext, plan: readonly PartitionReplicas[], throttle = DEFAULT_THROTTLE): Promise<void> {
  if (!plan.length) return;
  const on = brokers(ctx.inv)[0]!;
  const file = { path: `${on.host.dataDir}/run/kafka-reassignment.json`, content: reassignmentJson(plan) };
  ctx.log(`kafka: moving ${plan.length} partition${plan.length === 1 ? '' : 's'}, throttled to ${(throttle / 1048576).toFixed(0)} MiB/s`);
  await tool(ctx, on, REASSIGN, ['--reassignment-json-file', file.path, '--execute', '--throttle', String(throttle)], { file });
  await pollUntil(
    `reassigning ${plan.length} partitions`,
    async () => {
      const out = await tool(ctx, on, REASSIGN, ['--reassignment-json-file', file.path, '--verify']);
      if (/failed/i.test(out))
        throw new HostError('KAFKA_REASSIGN_FAILED', on.host.name, `the partition reassignment failed: ${out.trim().slice(-400)}`, { hint: KAFKA_HINT });
      const moving = stillMoving(out);
      return { done: moving.length === 0, detail: moving.length ? `${moving.length} of ${plan.length} partitions still moving` : 'every partition moved' };
    },
    { timeoutSec: ctx.timeoutSec, signal: ctx.signal, everyMs: 3000, log: (l) => ctx.log(`kafka: ${l}`) },
  );
}

/**
 * Brokers leave once their replicas are elsewhere: cordoned first (Kafka 4.3: no new partition lands on them), their
 * partitions reassigned to the staying brokers, then stopped, and finally unregistered from the quorum.
 */
export const brokerRetire: Retire = {
  async refuse(leaving, ctx) {
    const staying = ctx.staying.filter((i) => i.def.role === leaving[0]!.def.role).length;
    let parts: PartitionReplicas[];
    try {
      parts = await partitionsOf(ctx.inv);
    } catch (e) {
      return `the brokers' partitions cannot be read (${(e as Error).message}), so whether ${staying} brokers can hold them is unknown`;
    }
    const widest = parts.reduce<PartitionReplicas | undefined>((w, p) => (!w || p.replicas.length > w.replicas.length ? p : w), undefined);
    if (widest && widest.replicas.length > staying)
      return `${staying} broker${staying === 1 ? '' : 's'} would stay, fewer than topic ${widest.topic}'s ${widest.replicas.length} replicas`;
    return undefined;
  },
  async drain(leaving, ctx) {
    const ids = leaving.map((i) => nodeId(ctx.ids, i));
    const staying = ctx.staying.filter((i) => i.def.role === leaving[0]!.def.role).map((i) => nodeId(ctx.ids, i));
    for (const id of ids) {
      try {
        await tool(
          ctx,
          ctx.staying.find((i) => i.def.role === leaving[0]!.def.role)!,
          CONFIG_COMMAND,
          ['--alter', '--entity-type', 'brokers', '--entity-name', String(id), '--add-config', 'cordoned.log.dirs=*'],
        );
        ctx.log(`kafka: broker ${id} cordoned (no new partition is placed on it)`);
      } catch (e) {
        ctx.log(`kafka: broker ${id} not cordoned (${(e as Error).message.split('\n')[0]!.slice(0, 160)}): new partitions may still land on it`);
      }
    }
    await waitIdle(ctx);
    const plan = drainPlan(await partitionsOf(ctx.inv), ids, staying);
    if (!plan.length) ctx.log(`kafka: brokers ${ids.join(', ')} hold no partition`);
    await reassign(ctx, plan);
  },
  async forget(leaving, ctx) {
    const on = ctx.staying.find((i) => i.def.role === leaving[0]!.def.role)!;
    for (const inst of leaving) {
      const id = nodeId(ctx.ids, inst);
      try {
        await tool(ctx, on, CLUSTER_TOOL, ['unregister', '--id', String(id)]);
        ctx.log(`kafka: broker ${id} (${inst.host.name}) unregistered`);
      } catch (e) {
        // Already gone (an earlier run unregistered it before it was interrupted).
        if (!/BrokerIdNotRegistered|not registered/i.test((e as Error).message)) throw e;
      }
    }
  },
};

/** Moves leadership back to each partition's preferred (first) replica; a partition already led by it is fine. */
export async function leaderElection(ctx: ToolContext): Promise<void> {
  try {
    await tool(ctx, brokers(ctx.inv)[0]!, 'org.apache.kafka.tools.LeaderElectionCommand', ['--election-type', 'PREFERRED', '--all-topic-partitions']);
    ctx.log('kafka: preferred leaders elected');
  } catch (e) {
    // Kafka reports partitions whose leader is already the preferred one as failures of the command.
    if (!/ELECTION_NOT_NEEDED|not needed|already elected/i.test((e as Error).message)) throw e;
    ctx.log('kafka: preferred leaders elected (the others already led)');
  }
}
