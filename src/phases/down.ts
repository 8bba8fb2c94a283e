import { rootCause } from '../util/errors.js';
import { InputError } from '../util/errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { appendHistory } from '../state/history.js';
import type { Output } from '../ui/output.js';
import { desiredFor, managedInstances } from './desired.js';
import { openSession } from './open.js';
import { stopRole } from './service-ops.js';

export interface DownOptions {
  inventory: string;
  /** Only these roles (default: every managed role). */
  roles?: string[];
  quiet?: boolean;
}

/** `pyro down`: stops tiers in reverse start order, instances of a tier in parallel; data is left in place. */
export async function runDown(o: DownOptions, out: Output, signal: AbortSignal): Promise<{ stopped: string[]; seconds: number }> {
  const t0 = Date.now();
  const s = await openSession({ inventory: o.inventory, command: 'pyro down', out, signal, quiet: o.quiet, lock: true, history: true });
  const stopped: string[] = [];
  try {
    const managed = managedInstances(s.inv);
    const roles = [...new Set(managed.map((i) => i.def.role))];
    for (const r of o.roles ?? []) {
      if (!roles.includes(r)) {
        const dym = didYouMean(r, roles);
        throw new InputError('UNKNOWN_SERVICE', `no managed service ${r} in ${s.inv.file}`, {
          hint: dym ? `did you mean ${dym}?` : `services: ${roles.join(', ')}`,
        });
      }
    }
    if (!o.quiet) out.heading(`stopping ${o.roles?.length ? o.roles.join(', ') : 'the cluster'}`);
    for (const role of roles.reverse().filter((r) => !o.roles?.length || o.roles.includes(r))) {
      const ds = managed.filter((i) => i.def.role === role).map((i) => desiredFor(s.inv, i, s.ids, undefined, {}, s.secrets));
      stopped.push(...(await stopRole(s, role, ds)));
    }
    await appendHistory(s.state.dir, {
      run: s.lock?.run,
      command: `down${o.roles?.length ? ` ${o.roles.join(' ')}` : ''}`,
      result: 'ok',
      seconds: (Date.now() - t0) / 1000,
      changes: stopped,
    });
    if (!o.quiet)
      out.info(
        stopped.length ? `stopped ${stopped.length} service(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s; data dirs are kept` : 'nothing was running',
      );
    return { stopped, seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    await appendHistory(s.state.dir, {
      run: s.lock?.run,
      command: `down${o.roles?.length ? ` ${o.roles.join(' ')}` : ''}`,
      result: signal.aborted ? 'cancelled' : 'failed',
      seconds: (Date.now() - t0) / 1000,
      changes: stopped,
      error: (rootCause(e) as Error).message.split('\n')[0],
    }).catch(() => undefined);
    throw e;
  } finally {
    await s.close();
  }
}
