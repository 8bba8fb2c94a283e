import { factsScript, gatherFacts, parseFacts, type HostFacts } from '../hosts/facts.js';
import type { Host } from '../hosts/host.js';
import { runOnHosts, valuesOrThrow } from '../hosts/parallel.js';
import type { HostSpec, Inventory } from '../inventory/types.js';
import { hostNeeds, missingNeeds, probesFor } from './needs.js';
import { planPackages } from './plan.js';
import { describeResult, resultAfter, resultBefore, type PrepareResult } from './result.js';
import { runPlan } from './run-plan.js';

export interface PrepareOptions {
  /** Only report the plan; run nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Progress and the package manager's output, one line at a time. */
  log: (line: string) => void;
}

/**
 * Installs the OS packages a host's roles lack (Java, Python venv, a service's host packages), judged from
 * `facts` (gathered with the needs' probes: see prepareProbes). One exec runs the install as root (or through
 * `sudo -n`) and then gathers the facts again, so the result says what is now present and what is still missing.
 * Runs nothing when nothing is missing, or in a dry run.
 */
export async function prepareHost(host: Host, spec: HostSpec, facts: HostFacts, inv: Inventory, opts: PrepareOptions): Promise<PrepareResult> {
  const needs = hostNeeds(inv, spec);
  const missing = missingNeeds(needs, facts, spec);
  const plan = planPackages(facts.osRelease, missing);
  const before = resultBefore(spec.name, plan, missing);
  if (before.status !== 'planned' || opts.dryRun) {
    for (const line of describeResult(before)) opts.log(line);
    return before;
  }
  const as = facts.uid === 0 ? 'as root' : facts.uid === undefined ? 'as root or with sudo -n' : `with sudo -n as ${spec.ssh.user ?? 'the connecting user'}`;
  opts.log(`${plan.distro}: missing ${missing.map((m) => m.title).join(', ')}; installing ${plan.packages.join(' ')} ${as}`);
  const out = await runPlan(host, plan, factsScript(spec, probesFor(needs)), { signal: opts.signal, log: opts.log, user: spec.ssh.user });
  const now = parseFacts(out, 0, 0);
  const still = missingNeeds(needs, now, spec);
  const javaRoles = needs.find((n) => n.id === 'java')?.roles ?? [];
  const after = resultAfter(before, plan, facts.osRelease, still, facts, now, javaRoles);
  for (const line of describeResult(after)) opts.log(line);
  return after;
}

/** The facts-script probes `prepareHost` and `pyro check` need for a host (its services' host package tests). */
export function prepareProbes(inv: Inventory, spec: HostSpec) {
  return probesFor(hostNeeds(inv, spec));
}

export interface PrepareHostsOptions extends Omit<PrepareOptions, 'log'> {
  /** Lines per host. */
  log: (host: string, line: string) => void;
  /** Hosts at once (default 16). */
  concurrency?: number;
  /** The hosts to prepare (default: every host of the inventory), e.g. those with `prepare: true`. */
  specs?: readonly HostSpec[];
}

/**
 * Prepares hosts in parallel: connects, gathers facts (with the probes), then prepareHost. Throws one
 * AggregateFailure naming every host that failed; otherwise returns a result per host, in inventory order.
 */
export async function prepareHosts(inv: Inventory, hosts: ReadonlyMap<string, Host>, opts: PrepareHostsOptions): Promise<PrepareResult[]> {
  const specs = opts.specs ?? inv.hosts;
  const targets = specs.map((spec) => {
    const host = hosts.get(spec.name);
    if (!host) throw new Error(`prepareHosts: no connection for ${spec.name}`);
    return { name: spec.name, spec, host };
  });
  const results = await runOnHosts(
    targets,
    async ({ spec, host }) => {
      await host.connect();
      const facts = await gatherFacts(host, spec, opts.signal, prepareProbes(inv, spec));
      return prepareHost(host, spec, facts, inv, { dryRun: opts.dryRun, signal: opts.signal, log: (l) => opts.log(spec.name, l) });
    },
    { concurrency: opts.concurrency, signal: opts.signal },
  );
  return valuesOrThrow(results, 'preparing hosts');
}
