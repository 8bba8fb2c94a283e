import { gatherStatus, type InstanceStatus } from '../../phases/status.js';
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
      i.host,
      i.role,
      stateColor(ctx, i.state) + (i.pendingRestart ? ' *' : ''),
      i.pid ? String(i.pid) : '-',
      uptime(i.uptimeSec),
      Object.values(i.ports).join(','),
      i.version,
      i.probe,
    ]);
    ctx.out.info(renderTable(['HOST', 'SERVICE', 'STATE', 'PID', 'UPTIME', 'PORTS', 'VERSION', 'DETAIL'], rows, ctx.out.isTTY));
    if (st.instances.some((i) => i.pendingRestart)) ctx.out.info('* runs an older configuration: `pyro up` restarts it');
    ctx.out.info('');
    for (const l of st.summary) ctx.out.info(l);
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
