import { errorText } from '../clients/http.js';
import { PyroError } from '../util/errors.js';
import { runOnHosts, valuesOrThrow } from '../hosts/parallel.js';
import type { InstancePlan } from './plan.js';
import { reloadInstance, startInstance, waitGate, waitReady } from './service-ops.js';
import { drainContext } from './retire.js';
import { note, probeContext, type Session } from './session.js';

/** Seconds a tier spent from its first start to its gate passing (what `bench/up-cold` sums). */
export interface TierTiming {
  role: string;
  started: number;
  restarted: number;
  /** From the first start (or restart) command to the gate passing; 0 when nothing was started. */
  waitSeconds: number;
}

const named = <T extends { desired: { inst: { host: { name: string } } } }>(xs: T[]) => xs.map((x) => Object.assign(x, { name: x.desired.inst.host.name }));

/**
 * Brings one role to its wanted state: starts what is not running (in parallel), restarts what changed (one at a
 * time for rolling roles in a running cluster, each followed by the gate; in parallel otherwise), checks every
 * instance's ready probe, then the role's gate.
 */
export async function runTier(s: Session, role: string, plans: InstancePlan[], opts: { rolling?: boolean } = {}): Promise<TierTiming> {
  const toStart = plans.filter((p) => p.action === 'start');
  const toRestart = plans.filter((p) => p.action === 'restart');
  const rt = plans[0]!.desired.runtime;
  const timing: TierTiming = { role, started: toStart.length, restarted: toRestart.length, waitSeconds: 0 };
  if (toStart.length || toRestart.length) note(s, s.out.color.bold(`-- ${role}`));
  const t0 = Date.now();
  if ((toStart.length || toRestart.length) && rt.prepare && !s.dryRun) {
    try {
      await rt.prepare({ ...probeContext(s), log: (l) => note(s, `   ${l}`), signal: s.signal });
    } catch (e) {
      throw new PyroError('PREPARE_FAILED', `preparing ${role} failed: ${errorText(e)}`, {
        hint: (e as { hint?: string }).hint ?? 'the roles it depends on passed their gates; see `pyro status`, then run `pyro up` again',
      });
    }
  }
  const wave = async (ps: InstancePlan[], restart: boolean) => {
    valuesOrThrow(await runOnHosts(named(ps), (p) => startInstance(s, p.desired, { restart, format: p.format }), { signal: s.signal }), `starting ${role}`);
    valuesOrThrow(await runOnHosts(named(ps), (p) => waitReady(s, p.desired, t0), { signal: s.signal }), `${role} readiness`);
  };
  if (toStart.length) await wave(toStart, false);
  if (toStart.length && rt.join && !s.dryRun)
    await rt.join(
      toStart.map((p) => p.desired.inst),
      drainContext(s, 600),
    );
  const running = plans.some((p) => p.current.state === 'running');
  let gated = false;
  if (toRestart.length && (rt.rolling || opts.rolling) && running && plans.length > 1) {
    // A rolling restart starts from a healthy role and keeps it healthy after each instance.
    await waitGate(
      s,
      role,
      plans.map((p) => p.desired),
      Date.now(),
      { rolling: true },
    );
    for (const p of toRestart) {
      note(s, `   rolling restart: ${p.desired.inst.host.name} (${p.reasons.join('; ')})`);
      await startInstance(s, p.desired, { restart: true, format: p.format });
      const since = Date.now();
      await waitReady(s, p.desired, since);
      await waitGate(
        s,
        role,
        plans.map((x) => x.desired),
        since,
        { rolling: true },
      );
    }
    gated = true;
  } else if (toRestart.length) {
    const down = toRestart.filter((p) => p.current.state === 'running');
    if (rt.outage && down.length)
      note(s, s.out.color.yellow(`   restarting ${role} on ${down.map((p) => p.desired.inst.host.name).join(', ')}: ${rt.outage} until it is back`));
    await wave(toRestart, true);
  }
  // Instances left alone are checked too: `up` ends with every instance ready, not just the ones it touched.
  const untouched = plans.filter((p) => p.action === 'none');
  valuesOrThrow(
    await runOnHosts(named(untouched), (p) => waitReady(s, p.desired, Date.now(), { silentIfReady: true }), { signal: s.signal }),
    `${role} readiness`,
  );
  for (const p of plans.filter((x) => x.reload)) await reloadInstance(s, p.desired);
  if (!gated)
    await waitGate(
      s,
      role,
      plans.map((p) => p.desired),
    );
  if (toStart.length || toRestart.length) timing.waitSeconds = (Date.now() - t0) / 1000;
  return timing;
}
