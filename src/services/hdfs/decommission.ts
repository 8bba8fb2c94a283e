import { jmxBean } from '../../clients/http.js';
import type { ServiceInstance } from '../../inventory/types.js';
import { pollUntil } from '../../util/poll.js';
import type { DrainContext, Retire } from '../runtime.js';
import { nameNodeHttp } from './endpoints.js';
import { parseNodes, type ListedNode } from './probes.js';
import { hdfsSettingsOf } from './settings.js';

/** A leaving DataNode's state at the NameNode: `gone` once it is in no list (never registered, or forgotten). */
export function drainState(
  address: string,
  live: Record<string, ListedNode>,
  dead: Record<string, ListedNode>,
  decom: Record<string, ListedNode>,
): { state: 'draining' | 'drained' | 'in service' | 'gone'; blocksLeft?: number } {
  const find = (xs: Record<string, ListedNode>) => Object.entries(xs).find(([k]) => k.split(':')[0] === address)?.[1];
  const l = find(live);
  const d = find(dead);
  const n = l ?? d;
  if (!n) return { state: 'gone' };
  if (n.adminState === 'Decommissioned' || (d && d.decommissioned)) return { state: 'drained' };
  if (n.adminState === 'Decommission In Progress') return { state: 'draining', blocksLeft: find(decom)?.underReplicatedBlocks };
  return { state: 'in service' };
}

/**
 * DataNodes leave through decommissioning: the NameNode (told by its exclude list, already rewritten and reloaded)
 * copies every block they hold to the others, and they are stopped only once it reports them Decommissioned.
 */
export const dataNodeRetire: Retire = {
  async refuse(leaving, ctx) {
    const staying = ctx.staying.filter((i) => i.def.role === leaving[0]!.def.role).length;
    const replication = Math.max(...leaving.map((i) => hdfsSettingsOf(i).replication));
    if (staying < replication)
      return `${staying} DataNode${staying === 1 ? '' : 's'} would stay, fewer than the ${replication} replicas each block is kept at (dfs.replication): a decommission could never finish`;
    return undefined;
  },
  async drain(leaving, ctx) {
    await pollUntil(`decommissioning DataNodes on ${names(leaving)}`, () => dataNodesDrained(leaving, ctx), {
      timeoutSec: ctx.timeoutSec,
      signal: ctx.signal,
      log: (l) => ctx.log(`hdfs-datanode: ${l}`),
      hint: 'the NameNode keeps copying their blocks: run the same `pyro up --decommission` again to keep waiting (`pyro status` shows HDFS)',
    });
  },
};

const names = (xs: readonly ServiceInstance[]) => xs.map((i) => i.host.name).join(', ');

async function dataNodesDrained(leaving: readonly ServiceInstance[], ctx: DrainContext) {
  const info = await jmxBean(nameNodeHttp(ctx.inv), 'Hadoop:service=NameNode,name=NameNodeInfo');
  const [live, dead, decom] = [parseNodes(info.LiveNodes), parseNodes(info.DeadNodes), parseNodes(info.DecomNodes)];
  const states = leaving.map((i) => ({ host: i.host.name, ...drainState(i.host.address, live, dead, decom) }));
  const detail = states
    .map((s) => `${s.host} ${s.state === 'draining' && s.blocksLeft !== undefined ? `draining (${s.blocksLeft} blocks still to copy)` : s.state}`)
    .join(', ');
  return { done: states.every((s) => s.state === 'drained' || s.state === 'gone'), detail };
}
