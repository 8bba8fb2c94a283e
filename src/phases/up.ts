import { appendHistory } from '../state/history.js';
import type { Output } from '../ui/output.js';
import { rootCause } from '../util/errors.js';
import { unmanagedRoles } from './desired.js';
import { closingHints, UP_STEPS, verbOf, type UpOptions, type UpResult, type UpRun, type UpStep } from './up-steps.js';

export type { UpOptions, UpResult } from './up-steps.js';

/**
 * `pyro up`: walks UP_STEPS (validate, lock, connect, artifacts, read state, plan, push, write files, tiers, then
 * the services' steps: topics, jobs, registrations). Each step decides whether it has work; a dry run walks the
 * same list, reading only, and records what each step would change.
 */
export async function runUp(o: UpOptions, out: Output, signal: AbortSignal, steps: readonly UpStep[] = UP_STEPS): Promise<UpResult> {
  const t0 = Date.now();
  const dryRun = Boolean(o.dryRun);
  const quiet = Boolean(o.quiet);
  const verb = verbOf(o);
  if (!quiet)
    out.info(
      out.color.bold(
        `== ${dryRun ? 'planning' : o.restart ? `restarting ${o.restart.roles.join(', ')}${o.restart.rolling ? ', one at a time,' : ''} in` : 'bringing up'} the cluster`,
      ),
    );
  const result: UpResult = { ok: false, dryRun, seconds: 0, changes: [], tiers: [], warnings: [] };
  const r: UpRun = {
    o,
    out,
    signal,
    dryRun,
    quiet,
    result,
    managed: [],
    specs: [],
    items: new Map(),
    states: new Map(),
    plans: new Map(),
    roles: [],
    leaving: { instances: [], hosts: [] },
  };
  try {
    for (const step of steps) {
      if (step.shouldRun && !step.shouldRun(r)) continue;
      await step.run(r);
      if (step.name === 'validate')
        for (const role of unmanagedRoles(r.inv!)) result.warnings.push(`${role}: not started by pyro up yet (no runtime for it in this version)`);
    }
    for (const w of result.warnings) if (!quiet) out.warn(w);
    result.ok = true;
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    const services = [...r.plans.values()].flat().length;
    if (dryRun) {
      if (!result.changes.length && !quiet) out.info(`nothing to change: ${services} services running and up to date`);
    } else {
      if (!quiet)
        out.info(
          result.changes.length
            ? `cluster ${r.inv!.clusterName} is up: ${result.changes.length} change(s) in ${secs} s`
            : `nothing changed: ${services} services running and healthy (${secs} s)`,
        );
      result.openHint = closingHints(r);
    }
    return result;
  } catch (e) {
    if (!dryRun && r.state && (r.session || r.lock?.run)) {
      await appendHistory(r.state.dir, {
        run: r.lock?.run,
        command: verb,
        result: signal.aborted ? 'cancelled' : 'failed',
        seconds: (Date.now() - t0) / 1000,
        changes: result.changes,
        error: (rootCause(e) as Error).message.split('\n')[0],
      }).catch(() => undefined);
    }
    throw e;
  } finally {
    result.seconds = (Date.now() - t0) / 1000;
    // A dry run leaves no trace, not even in the history.
    if (result.ok && !dryRun)
      await appendHistory(r.state!.dir, { run: r.lock?.run, command: verb, result: 'ok', seconds: result.seconds, changes: result.changes }).catch(
        () => undefined,
      );
    if (r.session) await r.session.close();
    else await r.lock?.release();
  }
}
