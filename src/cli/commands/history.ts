import { loadForVerb } from '../../phases/open.js';
import { readHistory, runsOf, type HistoryEntry } from '../../state/history.js';
import { clusterStateDir } from '../../state/paths.js';
import { InputError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

/** Change lines shown under a run unless --changes asks for them all. */
const SHOWN_CHANGES = 5;

function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

function outcome(e: HistoryEntry): string {
  switch (e.result) {
    case 'running':
      return `running (pid ${e.pid})`;
    case 'interrupted':
      return 'interrupted: pyro ended without recording an end (killed, or the machine went down); the next run picks up from the hosts';
    default:
      return `${e.result} in ${e.seconds.toFixed(1)} s`;
  }
}

/** `pyro history`: the cluster's append-only record, one entry per run: when, who, the verb, what changed, the result. */
export async function historyCommand(o: { inventory: string; json?: boolean; last?: string; changes?: boolean }, ctx: RunContext): Promise<void> {
  const last = o.last === undefined ? 20 : Number(o.last);
  if (!Number.isInteger(last) || last < 1)
    throw new InputError('INVALID_ARGUMENT', `--last must be a whole number of runs, got ${o.last}`, { hint: 'e.g. --last 50' });
  const inv = await loadForVerb(o.inventory, ctx.out, true);
  const runs = runsOf(await readHistory(clusterStateDir(inv.clusterName)));
  const shown = runs.slice(-last);
  if (o.json) {
    ctx.out.data({ cluster: inv.clusterName, total: runs.length, runs: shown });
    return;
  }
  if (!runs.length) {
    ctx.out.info(`no runs recorded for cluster ${inv.clusterName} yet (pyro up, down and check --trust-new-hosts record theirs)`);
    return;
  }
  const c = ctx.out.color;
  const paint = (e: HistoryEntry) => (e.result === 'ok' ? c.green : e.result === 'running' ? c.cyan : c.red)(outcome(e));
  if (shown.length < runs.length) ctx.out.info(c.dim(`(the last ${shown.length} of ${runs.length} runs; --last N for more)`));
  for (const e of shown) {
    const changes = e.changes ?? [];
    const count = e.result === 'running' || e.result === 'interrupted' ? '' : `, ${changes.length} change${changes.length === 1 ? '' : 's'}`;
    ctx.out.info(`${when(e.time)}  ${e.user}@${e.machine}  ${c.bold(e.command)}: ${paint(e)}${count}`);
    const list = o.changes ? changes : changes.slice(0, SHOWN_CHANGES);
    for (const line of list) ctx.out.info(`    ${line}`);
    if (list.length < changes.length) ctx.out.info(c.dim(`    ... ${changes.length - list.length} more (--changes)`));
    if (e.error) ctx.out.info(`    ${c.red(`error: ${e.error}`)}`);
  }
}
