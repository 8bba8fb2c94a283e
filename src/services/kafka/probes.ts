import { describeClusterAt, describeQuorum, NOT_LEADER } from '../../clients/kafka-wire.js';
import { errorText } from '../../clients/http.js';
import { kafkaHealth, withAdmin } from '../../clients/kafka-admin.js';
import type { ServiceInstance } from '../../inventory/types.js';
import type { ProbeContext, ProbeResult } from '../runtime.js';
import { bootstrapServers, nodeId } from './endpoints.js';

export async function controllerReady(inst: ServiceInstance, ctx: ProbeContext): Promise<ProbeResult> {
  try {
    const q = await describeQuorum(inst.host.address, inst.ports.controller!);
    if (q.errorCode === NOT_LEADER) return { ok: true, detail: 'quorum follower (the leader describes the quorum)' };
    const me = nodeId(ctx.ids, inst);
    const role = q.leaderId === me ? 'leader' : q.voters.some((v) => v.id === me) ? 'voter' : 'observer';
    return {
      ok: q.leaderId >= 0,
      detail: q.leaderId >= 0 ? `quorum ${role}, leader ${q.leaderId} (epoch ${q.leaderEpoch})` : 'no quorum leader yet',
      data: { leaderId: q.leaderId },
    };
  } catch (e) {
    return { ok: false, detail: `DescribeQuorum at ${inst.host.address}:${inst.ports.controller}: ${errorText(e)}` };
  }
}

/** The metadata quorum has a leader and every controller of the inventory votes in it. */
export async function quorumGate(controllers: ServiceInstance[], ctx: ProbeContext): Promise<ProbeResult> {
  let last = 'no controller answered';
  for (const c of controllers) {
    try {
      const q = await describeQuorum(c.host.address, c.ports.controller!);
      if (q.errorCode === NOT_LEADER) {
        last = `${c.host.address}:${c.ports.controller} is not the leader`;
        continue;
      }
      const want = controllers.map((x) => nodeId(ctx.ids, x));
      const voters = q.voters.map((v) => v.id);
      const missing = want.filter((id) => !voters.includes(id));
      const ok = q.leaderId >= 0 && missing.length === 0;
      return {
        ok,
        detail: `leader ${q.leaderId}, voters [${voters.join(',')}]${missing.length ? `, missing ${missing.join(',')}` : ''}`,
        data: { leaderId: q.leaderId, voters, observers: q.observers.map((o) => o.id) },
      };
    } catch (e) {
      last = `${c.host.address}:${c.ports.controller}: ${errorText(e)}`;
    }
  }
  return { ok: false, detail: `DescribeQuorum: ${last}` };
}

/** Metadata records a voter may trail the high watermark by and still count as caught up (no-op records tick). */
export const CAUGHT_UP_LAG = 50;

/**
 * Between two controllers of a rolling restart: the quorum gate, and every voter caught up with the high watermark,
 * so that the next one to go down leaves a majority holding the whole metadata log.
 */
export async function quorumCaughtUpGate(controllers: ServiceInstance[], ctx: ProbeContext): Promise<ProbeResult> {
  const g = await quorumGate(controllers, ctx);
  if (!g.ok) return g;
  for (const c of controllers) {
    try {
      const q = await describeQuorum(c.host.address, c.ports.controller!);
      if (q.errorCode === NOT_LEADER) continue;
      const behind = q.voters.filter((v) => q.highWatermark - v.logEndOffset > BigInt(CAUGHT_UP_LAG));
      return {
        ok: behind.length === 0,
        detail: `${g.detail}, ${behind.length ? `${behind.map((v) => `${v.id} ${q.highWatermark - v.logEndOffset} records behind`).join(', ')}` : 'every voter caught up'} (high watermark ${q.highWatermark})`,
        data: g.data,
      };
    } catch {
      continue;
    }
  }
  return { ok: false, detail: `${g.detail}, the leader did not describe the quorum again` };
}

export async function brokerReady(inst: ServiceInstance, ctx: ProbeContext): Promise<ProbeResult> {
  const addr = `${inst.host.address}:${inst.ports.client}`;
  try {
    const view = await describeClusterAt(inst.host.address, inst.ports.client!);
    const me = nodeId(ctx.ids, inst);
    const ok = view.brokers.some((b) => b.id === me);
    return { ok, detail: ok ? `broker ${me} registered (sees ${view.brokers.length} brokers)` : `broker ${me} not registered yet` };
  } catch (e) {
    return { ok: false, detail: `Kafka metadata from ${addr}: ${errorText(e)}` };
  }
}

/** Every broker of the inventory is registered and no partition is under-replicated or offline. */
export async function brokersGate(brokers: ServiceInstance[], ctx: ProbeContext): Promise<ProbeResult> {
  try {
    const h = await withAdmin(bootstrapServers(ctx.inv), kafkaHealth);
    const want = brokers.map((b) => nodeId(ctx.ids, b));
    const missing = want.filter((id) => !h.brokers.includes(id));
    const ok = missing.length === 0 && h.underReplicated === 0 && h.offline === 0;
    const parts = [
      `${want.length - missing.length}/${want.length} brokers registered`,
      `${h.underReplicated} under-replicated`,
      ...(h.offline ? [`${h.offline} offline`] : []),
    ];
    return { ok, detail: parts.join(', '), data: { ...h } };
  } catch (e) {
    return { ok: false, detail: `Kafka metadata: ${errorText(e)}` };
  }
}
