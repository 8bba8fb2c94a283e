import { loadForVerb } from '../../phases/open.js';
import { managedInstances } from '../../phases/desired.js';
import { MODULES } from '../../services/catalog.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { InputError } from '../../util/errors.js';
import type { RunContext } from '../context.js';
import { upCommand, type UpCommandOptions } from './up.js';

/**
 * The roles `pyro restart` names: each argument is a role (kafka-broker) or a service (kafka: its roles); none is
 * every role. In start order, as the inventory runs them.
 */
export function restartRoles(running: readonly string[], targets: readonly string[], file: string): string[] {
  if (!targets.length) return [...running];
  const wanted = new Set<string>();
  for (const t of targets) {
    const roles = running.includes(t)
      ? [t]
      : (MODULES.find((m) => m.name === t)
          ?.roles.map((r) => r.role)
          .filter((r) => running.includes(r)) ?? []);
    if (!roles.length) {
      const services = [...new Set(MODULES.filter((m) => m.roles.some((r) => running.includes(r.role))).map((m) => m.name))];
      const dym = didYouMean(t, [...running, ...services]);
      throw new InputError('UNKNOWN_SERVICE', `no managed service or role ${t} in ${file}`, {
        hint: dym ? `did you mean ${dym}?` : `roles: ${running.join(', ')}; services: ${services.join(', ')}`,
      });
    }
    for (const r of roles) wanted.add(r);
  }
  return running.filter((r) => wanted.has(r));
}

/** `pyro restart [SERVICE...] [--rolling]`: `up`, with the named roles restarted even when nothing changed. */
export async function restartCommand(targets: string[], o: Omit<UpCommandOptions, 'restart'> & { rolling?: boolean }, ctx: RunContext): Promise<void> {
  const inv = await loadForVerb(o.inventory, ctx.out, true);
  const running = [...new Set(managedInstances(inv).map((i) => i.def.role))];
  const roles = restartRoles(running, targets, inv.file);
  await upCommand({ ...o, restart: { roles, rolling: Boolean(o.rolling) } }, ctx);
}
