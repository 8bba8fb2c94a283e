import { gatherStatus, type ClusterStatus, type InstanceStatus } from '../../phases/status.js';
import { renderTable } from '../../ui/table.js';
import { ExitCode, ExitError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

export interface StatusOptions {
  inventory: string;
  json?: boolean;
}

function uptime(sec?: number): string {
  if (sec === undefined) return '-';
  if (sec < 120) return `${sec}s`;
  if (sec < 7200) return `${Math.floor(sec / 60)}m`;
  if (sec < 172800) return `${Math.floor(sec / 3600)}h${Math.floor((sec % 3600) / 60)}m`;
  return `${Math.floor(sec / 86400)}d`;
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

function summaryLines(st: ClusterStatus): string[] {
  const lines: string[] = [];
  const h = st.hdfs;
  if (h) lines.push('error' in h ? `HDFS   unreachable: ${h.error}` : `HDFS   ${h.liveDataNodes} live / ${h.deadDataNodes} dead DataNodes, ${gib(h.usedBytes)} used of ${gib(h.capacityBytes)} (${gib(h.remainingBytes)} free), ${h.underReplicatedBlocks} under-replicated blocks, ${h.files} files, safe mode ${h.safeMode ? 'ON' : 'off'}`);
  const y = st.yarn;
  if (y) lines.push('error' in y ? `YARN   unreachable: ${y.error}` : `YARN   ${y.activeNodes}/${y.expectedNodes} NodeManagers active, ${y.allocatedMB}/${y.totalMB} MB allocated, ${y.appsRunning} running and ${y.appsPending} pending applications${y.applications.length ? `: ${y.applications.map((a) => `${a.name} (${a.id}, ${a.state})`).join(', ')}` : ''}`);
  const k = st.kafka;
  if (k) {
    lines.push('error' in k
      ? `Kafka  unreachable: ${k.error}`
      : `Kafka  controller leader ${k.controller ? `${k.controller.leaderId} (voters ${k.controller.voters.join(',')}, epoch ${k.controller.epoch})` : 'unknown'}, ${k.brokers.length}/${k.expectedBrokers} brokers [${k.brokers.join(',')}], ${k.underReplicated} under-replicated of ${k.partitions} partitions, topics: ${k.topicNames.join(', ') || '(none)'}`);
  }
  for (const j of st.jobs) {
    lines.push(`Job    ${j.name}: ${j.state}${j.appId ? ` (${j.appId}, up ${j.uptimeSec}s${j.inputRowsPerSecond !== undefined ? `, ${j.inputRowsPerSecond.toFixed(1)} rows/s in` : ''}${j.batchDurationMs !== undefined ? `, batch ${j.batchDurationMs} ms` : ''})` : ''}`);
  }
  const ss = st.superset;
  if (ss) {
    if ('error' in ss) lines.push(`Superset  ${ss.url ?? ''} ${ss.error.split('\n')[0]}`.replace(/ +/g, ' '));
    else {
      lines.push(`Superset  ${ss.url}/ healthy; databases: ${ss.databases.map((d) => d.name).join(', ') || '(none)'}; datasets: ${ss.datasets.map((d) => `${d.database}.${d.schema}.${d.table}`).join(', ') || '(none)'}${ss.missing.length ? `; not registered: ${ss.missing.join(', ')}` : ''}`);
      for (const d of ss.dashboards) lines.push(`Dashboard ${d.title}: ${d.url}`);
    }
  }
  return lines;
}

const stateColor = (ctx: RunContext, s: InstanceStatus['state']) => {
  const c = ctx.out.color;
  return s === 'healthy' ? c.green(s) : s === 'degraded' ? c.yellow(s) : c.red(s);
};

/** `pyro status`: every instance and the cluster's health; exit 1 when anything is down or degraded. */
export async function statusCommand(o: StatusOptions, ctx: RunContext): Promise<void> {
  const st = await gatherStatus(o.inventory, ctx.out, ctx.signal);
  if (o.json) {
    ctx.out.data(st);
  } else {
    const rows = st.instances.map((i) => [
      i.host, i.role, stateColor(ctx, i.state) + (i.pendingRestart ? ' *' : ''), i.pid ? String(i.pid) : '-', uptime(i.uptimeSec),
      Object.values(i.ports).join(','), i.version, i.probe,
    ]);
    ctx.out.info(renderTable(['HOST', 'SERVICE', 'STATE', 'PID', 'UPTIME', 'PORTS', 'VERSION', 'DETAIL'], rows, ctx.out.isTTY));
    if (st.instances.some((i) => i.pendingRestart)) ctx.out.info('* runs an older configuration: `pyro up` restarts it');
    ctx.out.info('');
    for (const l of summaryLines(st)) ctx.out.info(l);
    for (const [name, url] of Object.entries(st.ui)) ctx.out.info(`${name}: ${url}`);
    if (st.unmanaged.length) ctx.out.info(ctx.out.color.dim(`not managed by this version of pyro yet: ${st.unmanaged.join(', ')}`));
    ctx.out.info('');
    if (st.healthy) ctx.out.info(ctx.out.color.green(`cluster ${st.cluster} is healthy`));
    else {
      ctx.out.info(ctx.out.color.red(`cluster ${st.cluster} is not healthy:`));
      for (const p of st.problems) ctx.out.info(`  - ${p}`);
    }
  }
  if (!st.healthy) throw new ExitError(ExitCode.failure);
}
