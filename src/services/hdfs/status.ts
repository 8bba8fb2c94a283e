import { errorText } from '../../clients/http.js';
import type { ServiceInstance } from '../../inventory/types.js';
import type { ComponentSummary } from '../definition.js';
import { httpBase, orError, type ProbeContext } from '../runtime.js';
import { dataNodeCount, NAMENODE } from './endpoints.js';
import { hdfsSummary } from './probes.js';

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** HDFS in `pyro status`: the NameNode's view of the file system. */
export async function hdfsStatus(ctx: ProbeContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined> {
  const nn = managed.find((i) => i.def.role === NAMENODE);
  if (!nn) return undefined;
  const h = await orError(() => hdfsSummary(ctx.inv), errorText);
  const problems: string[] = [];
  let line: string;
  if ('error' in h) {
    problems.push(`HDFS: ${h.error}`);
    line = `HDFS   unreachable: ${h.error}`;
  } else {
    const want = dataNodeCount(ctx.inv);
    if (h.safeMode) problems.push('HDFS is in safe mode');
    if (h.liveDataNodes < want) problems.push(`HDFS: ${h.liveDataNodes}/${want} DataNodes live`);
    if (h.deadDataNodes) problems.push(`HDFS: ${h.deadDataNodes} dead DataNodes`);
    // As in `hdfs fsck`, blocks short of replicas are not unhealthy by themselves: a block just written counts as
    // under-replicated until every DataNode of its pipeline has reported it, and a dead DataNode is named above.
    // A block with no replica left is data lost.
    if (h.missingBlocks) problems.push(`HDFS: ${h.missingBlocks} missing blocks (no live replica)`);
    line = `HDFS   ${h.liveDataNodes} live / ${h.deadDataNodes} dead DataNodes${h.decommissioningDataNodes ? ` (${h.decommissioningDataNodes} decommissioning or decommissioned)` : ''}, ${gib(h.usedBytes)} used of ${gib(h.capacityBytes)} (${gib(h.remainingBytes)} free), ${h.underReplicatedBlocks} under-replicated blocks, ${h.missingBlocks} missing, ${h.files} files, safe mode ${h.safeMode ? 'ON' : 'off'}`;
  }
  return { key: 'hdfs', data: h, lines: [line], problems, ui: { 'HDFS NameNode': `${httpBase(nn)}/dfshealth.html` } };
}
