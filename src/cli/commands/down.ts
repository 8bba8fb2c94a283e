import { runDown } from '../../phases/down.js';
import type { RunContext } from '../context.js';

export interface DownCommandOptions {
  inventory: string;
  json?: boolean;
}

/** `pyro down [SERVICE...]`: stops the cluster's services (or the named ones), keeping their data. */
export async function downCommand(roles: string[], o: DownCommandOptions, ctx: RunContext): Promise<void> {
  const r = await runDown({ inventory: o.inventory, roles, quiet: o.json }, ctx.out, ctx.signal);
  if (o.json) ctx.out.data({ ok: true, ...r });
}
