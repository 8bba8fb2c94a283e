import { ArtifactCache } from '../artifacts/cache.js';
import { recipeFor } from '../artifacts/catalog.js';
import { missingSupply, staleAssembly } from '../artifacts/fetch.js';
import { pushItems } from '../artifacts/items.js';
import { artifactNeeds, fetchOptionsFor } from '../artifacts/needs.js';
import { pushHost, type PushItem } from '../artifacts/push.js';
import { errorText } from '../clients/http.js';
import { runOnHosts, valuesOrThrow } from '../hosts/parallel.js';
import type { HostSpec, Inventory, ServiceInstance } from '../inventory/types.js';
import { MODULES, serviceOf } from '../services/catalog.js';
import type { ServiceStep, StepContext } from '../services/definition.js';
import { ClusterState } from '../state/cluster-state.js';
import type { ClusterLock } from '../state/lock.js';
import type { Output } from '../ui/output.js';
import { desiredFor, managedInstances } from './desired.js';
import { readHostState, type HostState } from './host-state.js';
import { connectSession, loadForVerb, lockCluster, type OpenSession } from './open.js';
import { planInstance, type InstancePlan } from './plan.js';
import { reloadInstance, stopRole, writeFiles } from './service-ops.js';
import { checkLeaving, drainContext, findLeaving, instanceKey, leavingByRole, type Leaving } from './retire.js';
import { hostOf, note, say } from './session.js';
import { prepareControl } from '../prepare/control.js';
import { prepareHosts } from '../prepare/prepare-host.js';
import { runTier, type TierTiming } from './tiers.js';
import { checkWholeFlow, ingestPaths, wholeFlowLines } from './whole-flow.js';
import { PyroError } from '../util/errors.js';

export interface UpOptions {
  inventory: string;
  dryRun?: boolean;
  quiet?: boolean;
  timeoutSec?: number;
  trustNewHosts?: boolean;
  /** Install what hosts (all of them) and this machine lack first; without it, only hosts set `prepare: true`. */
  prepare?: boolean;
  /** `pyro restart`: restart these roles' running instances even when nothing changed; `rolling`: one at a time. */
  restart?: { roles: string[]; rolling: boolean };
  /** Instances the inventory no longer names are drained (data moved to the others), then stopped; refused without. */
  decommission?: boolean;
  /** Seconds a drain may take (default 3600). */
  drainTimeoutSec?: number;
  /** false: an upgrade's feature levels are held (a rollback stays possible); default true. */
  finalize?: boolean;
}

/** The run as the lock and the history name it: `up`, or `restart <roles>`. */
export function verbOf(o: UpOptions): string {
  return o.restart ? `restart ${o.restart.roles.join(' ')}${o.restart.rolling ? ' --rolling' : ''}` : 'up';
}

export interface UpResult {
  ok: boolean;
  dryRun: boolean;
  seconds: number;
  /** One line per change made (or, in a dry run, planned). */
  changes: string[];
  tiers: TierTiming[];
  warnings: string[];
  /** What each service step did (or would do), by its name: topics, jobs, superset. */
  [step: string]: unknown;
  /** Where to look: the dashboards' URLs and how to log in (printed last by the up command). */
  openHint?: string;
}

/** What the steps of one `pyro up` share; each step fills in what later ones read. */
export interface UpRun {
  o: UpOptions;
  out: Output;
  signal: AbortSignal;
  dryRun: boolean;
  quiet: boolean;
  result: UpResult;
  inv?: Inventory;
  state?: ClusterState;
  lock?: ClusterLock;
  session?: OpenSession;
  managed: ServiceInstance[];
  specs: HostSpec[];
  items: Map<string, PushItem>;
  states: Map<string, HostState>;
  plans: Map<string, InstancePlan[]>;
  /** Roles whose tiers this run manages, in start order. */
  roles: string[];
  /** Instances leaving the cluster (no longer in the inventory). */
  leaving: Leaving;
}

/** One step of `pyro up`: it decides whether it has work, and in a dry run reads only and says what it would do. */
export interface UpStep {
  name: string;
  shouldRun?(r: UpRun): boolean;
  run(r: UpRun): Promise<void>;
}

const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;

function print(r: UpRun, line: string): void {
  if (!r.quiet) r.out.info(line);
}

function heading(r: UpRun, line: string): void {
  print(r, r.out.color.bold(`== ${line}`));
}

function session(r: UpRun): OpenSession {
  if (!r.session) throw new Error('pyro up: a step ran before the hosts were connected');
  return r.session;
}

function hostComponents(r: UpRun, name: string): PushItem[] {
  const needs = artifactNeeds(r.inv!);
  return (needs.perHost.find((h) => h.spec.name === name)?.components ?? []).map((c) => r.items.get(c)!);
}

const validate: UpStep = {
  name: 'validate',
  async run(r) {
    r.inv = await loadForVerb(r.o.inventory, r.out, r.quiet);
    r.state = new ClusterState(r.inv.clusterName, undefined, { readOnly: r.dryRun });
  },
};

const lock: UpStep = {
  name: 'lock',
  // A dry run changes nothing, so it waits for no one.
  shouldRun: (r) => !r.dryRun,
  async run(r) {
    r.lock = await lockCluster(r.state!, `pyro ${verbOf(r.o)}`, r.out, r.quiet, true);
  },
};

/** Instances pyro started that the inventory no longer names: their hosts are connected too, to drain and stop them. */
const leaving: UpStep = {
  name: 'leaving',
  async run(r) {
    r.leaving = await findLeaving(r.inv!, r.state!);
  },
};

const connect: UpStep = {
  name: 'connect',
  async run(r) {
    r.session = await connectSession(r.inv!, r.state!, r.lock, {
      extraHosts: r.leaving.hosts,
      out: r.out,
      signal: r.signal,
      dryRun: r.dryRun,
      quiet: r.quiet,
      readyTimeoutSec: r.o.timeoutSec,
      trustNewHosts: r.o.trustNewHosts,
    });
    r.result.changes = r.session.changes;
    r.managed = managedInstances(r.inv!);
    r.specs = r.inv!.hosts.filter((h) => r.session!.hosts.has(h.name));
    await checkLeaving(r.inv!, r.leaving.instances, {
      decommission: Boolean(r.o.decommission),
      ctx: drainContext(r.session, 0),
    });
  },
};

const toPrepare = (r: UpRun) => (r.o.prepare ? r.specs : r.specs.filter((h) => h.prepare));

/** Hosts prepared, not only checked: what they lack is installed before anything is pushed (a dry run only plans). */
const prepare: UpStep = {
  name: 'prepare',
  shouldRun: (r) => toPrepare(r).length > 0,
  async run(r) {
    const s = session(r);
    heading(
      r,
      `${r.dryRun ? 'checking what to install on' : 'preparing'} ${toPrepare(r).length} host${toPrepare(r).length === 1 ? '' : 's'}${r.o.prepare ? ' and this machine' : ''}`,
    );
    const results = await prepareHosts(s.inv, s.hosts, { dryRun: r.dryRun, signal: r.signal, specs: toPrepare(r), log: (host, line) => say(s, host, line) });
    if (r.o.prepare) results.push(await prepareControl({ dryRun: r.dryRun, signal: r.signal, log: (line) => print(r, `[control] ${line}`) }));
    for (const res of results) {
      for (const p of res.packages) s.changes.push(`${res.host}: install ${p}`);
      for (const u of res.unresolved) r.result.warnings.push(`${res.host}: ${u.title} is still missing: ${u.hint}`);
      if (res.status === 'nothing-missing') say(s, res.host, 'nothing to install');
    }
    r.result.prepare = results;
  },
};

/** Cached distributions by component; in a dry run nothing is fetched and what is missing is only reported. */
const artifacts: UpStep = {
  name: 'artifacts',
  async run(r) {
    const s = session(r);
    const cache = new ArtifactCache();
    if (!r.dryRun) {
      r.items = await pushItems(s.inv, cache, { signal: s.signal, log: (l) => note(s, `  ${l}`) });
      return;
    }
    const fopts = fetchOptionsFor(s.inv, cache);
    for (const c of new Set(artifactNeeds(s.inv).perHost.flatMap((h) => h.components))) {
      const rec = recipeFor(c, s.inv.artifacts.versions?.[c]);
      const e = await cache.peek(rec.component, rec.version);
      if (!e || staleAssembly(e, rec)) {
        s.changes.push(`control: fetch ${c} ${rec.version} into the cache`);
        // One only the user can supply (Logstash) would stop the real run here: the plan says so, and how.
        const missing = missingSupply(rec, fopts);
        if (missing) r.result.warnings.push(missing);
      }
      r.items.set(c, {
        component: c,
        version: rec.version,
        sha256: e?.sha256 ?? 'not-fetched',
        size: e?.size ?? 0,
        blob: e ? cache.blobPath(e.sha256) : '',
        hostSetup: rec.hostSetup,
      });
    }
  },
};

/** One round trip per host: services, their files and data dirs, memory, artifacts. */
const readState: UpStep = {
  name: 'read state',
  async run(r) {
    const s = session(r);
    valuesOrThrow(
      await runOnHosts(
        r.specs,
        async (spec) => {
          const pre = r.managed.filter((i) => i.host === spec).map((i) => desiredFor(s.inv, i, s.ids, undefined, {}, s.secrets));
          r.states.set(spec.name, await readHostState(hostOf(s, spec.name), spec, pre, hostComponents(r, spec.name), { signal: r.signal }));
        },
        { signal: r.signal },
      ),
      'reading host state',
    );
  },
};

/** Prints a host's plan and records each change as a line. */
function showPlan(r: UpRun, host: string, state: HostState, plans: InstancePlan[]): void {
  const s = session(r);
  const verb = r.dryRun ? 'would ' : '';
  const record = (line: string) => {
    s.changes.push(`${host}: ${line}`);
    say(s, host, `${verb}${line}`);
  };
  for (const p of state.push)
    if (p.action !== 'skip')
      record(
        p.action === 'link'
          ? `switch ${p.item.component} to ${p.item.version} (${p.remote})`
          : `push ${p.item.component} ${p.item.version}${p.item.size ? ` (${mib(p.item.size)})` : ''}`,
      );
  for (const p of plans) {
    const role = p.desired.inst.def.role;
    for (const f of p.files) {
      record(`write ${p.desired.paths.conf}/${f.name}`);
      if (!r.quiet && f.diff[0] !== '(new file)') for (const line of f.diff.slice(0, 20)) r.out.info(`      ${line}`);
    }
    if (p.format) record(`format ${role} ${p.desired.format!.dir}`);
    if (p.action !== 'none') record(`${p.action} ${role} (${p.reasons.join('; ')})`);
    if (p.reload) record(`reload ${role} (${p.files.map((f) => f.name).join(', ')} changed)`);
  }
}

/** The plan: the same for a dry run and a real one. */
const plan: UpStep = {
  name: 'plan',
  async run(r) {
    const s = session(r);
    const builds = Object.fromEntries([...r.items.values()].map((i) => [i.component, i.sha256]));
    valuesOrThrow(
      await runOnHosts(r.specs, async (spec) => {
        const st = r.states.get(spec.name)!;
        r.plans.set(
          spec.name,
          r.managed
            .filter((i) => i.host === spec)
            .map((i) => planInstance(desiredFor(s.inv, i, s.ids, st.resources, builds, s.secrets, r.leaving.instances), st)),
        );
      }),
      'planning',
    );
    const asked = new Set(r.o.restart?.roles ?? []);
    for (const p of [...r.plans.values()].flat()) {
      if (p.action === 'none' && asked.has(p.desired.inst.def.role)) {
        p.action = 'restart';
        p.reasons.push('asked by pyro restart');
      }
    }
    // Before anything changes: what the running cluster cannot take (a version below its finalised features).
    for (const m of MODULES.filter((x) => x.guard && x.roles.some((d) => r.managed.some((i) => i.def.role === d.role)))) {
      const refused = await m.guard!({ inv: s.inv, ids: s.ids, secrets: s.secrets });
      if (refused) throw new PyroError(refused.code, refused.message, { hint: refused.hint });
    }
    heading(r, 'plan');
    for (const spec of r.specs) showPlan(r, spec.name, r.states.get(spec.name)!, r.plans.get(spec.name)!);
    for (const { role, instances } of leavingByRole(r.leaving.instances))
      for (const i of instances) {
        s.changes.push(`${i.host.name}: decommission ${role}`);
        say(s, i.host.name, `${r.dryRun ? 'would ' : ''}decommission ${role} (no longer in the inventory: ${retireHow(i)})`);
      }
    r.roles = [...new Set(r.managed.map((i) => i.def.role))];
  },
};

const pushing = (r: UpRun) => r.specs.filter((spec) => r.states.get(spec.name)!.push.some((p) => p.action !== 'skip'));

/** Artifacts, then files: a host gets its config only once its distributions are in place. */
const push: UpStep = {
  name: 'push',
  shouldRun: (r) => pushing(r).length > 0,
  async run(r) {
    const hosts = pushing(r);
    heading(r, `${r.dryRun ? 'would push' : 'pushing'} distributions to ${hosts.length} host${hosts.length === 1 ? '' : 's'}`);
    if (r.dryRun) return;
    const s = session(r);
    valuesOrThrow(
      await runOnHosts(hosts, (spec) => pushHost(hostOf(s, spec.name), spec, hostComponents(r, spec.name), { signal: r.signal }), { signal: r.signal }),
      'push',
    );
  },
};

const writing = (r: UpRun) => r.specs.filter((spec) => r.plans.get(spec.name)!.some((p) => p.files.length));

const files: UpStep = {
  name: 'write files',
  shouldRun: (r) => writing(r).length > 0,
  async run(r) {
    if (r.dryRun) return;
    const s = session(r);
    valuesOrThrow(
      await runOnHosts(
        writing(r),
        (spec) =>
          writeFiles(
            s,
            spec.name,
            r.plans
              .get(spec.name)!
              .flatMap((p) => p.files.map((f) => ({ path: f.path, content: f.content, mode: f.private ? '600' : f.name === 'run.sh' ? '755' : '644' }))),
          ),
        { signal: r.signal },
      ),
      'writing config files',
    );
  },
};

/** Tiers in dependency order; each ends with every instance ready and its gate passed. */
const tiers: UpStep = {
  name: 'tiers',
  shouldRun: (r) => !r.dryRun,
  async run(r) {
    const s = session(r);
    // The copy that says how to reach each instance is replaced only once nothing it names is still leaving.
    if (!r.leaving.instances.length) await s.state.saveAppliedInventory(r.inv!.file, r.inv!.raw);
    const all = [...r.plans.values()].flat();
    for (const role of r.roles) {
      const tierPlans = all.filter((p) => p.desired.inst.def.role === role);
      r.result.tiers.push(await runTier(s, role, tierPlans, { rolling: r.o.restart?.rolling }));
      await s.state.recordAppliedAll(Object.fromEntries(tierPlans.map((p) => [instanceKey(p.desired.inst), p.desired.hash])));
    }
  },
};

/** How a leaving instance goes, for the plan. */
function retireHow(i: ServiceInstance): string {
  const rt = serviceOf(i).runtime?.retire;
  return rt?.drain ? 'drained first, then stopped' : 'stopped';
}

/**
 * Instances leaving the cluster, the last tier first: the masters (already told by their exclude lists) are asked
 * to read them again, each role's instances are drained, stopped and forgotten, and finally the masters' lists
 * drop them. Each one done is removed from the applied record, so an interrupted run resumes with the rest.
 */
const retire: UpStep = {
  name: 'decommission',
  shouldRun: (r) => !r.dryRun && r.leaving.instances.length > 0,
  async run(r) {
    const s = session(r);
    const ctx = drainContext(s, r.o.drainTimeoutSec ?? 3600);
    heading(
      r,
      `decommissioning ${leavingByRole(r.leaving.instances)
        .map((x) => `${x.role} on ${x.instances.map((i) => i.host.name).join(', ')}`)
        .join('; ')}`,
    );
    const masters = [...r.plans.values()].flat().filter((p) => p.desired.reload);
    // Those the tiers did not just reload: their lists were written by a run that stopped before telling them.
    for (const p of masters.filter((x) => !x.reload)) await reloadInstance(s, p.desired);
    for (const { role, instances } of leavingByRole(r.leaving.instances)) {
      const rt = serviceOf(instances[0]!).runtime!;
      note(s, s.out.color.bold(`-- ${role}`));
      await rt.retire?.drain?.(instances, ctx);
      await stopRole(
        s,
        role,
        instances.map((i) => desiredFor(s.inv, i, s.ids, undefined, {}, s.secrets)),
      );
      await rt.retire?.forget?.(instances, ctx);
      await s.state.recordAppliedAll(Object.fromEntries(instances.map((i) => [instanceKey(i), undefined])));
    }
    // The masters forget them: out of both lists, a drained node is no longer reported at all.
    for (const p of masters) {
      const d = desiredFor(s.inv, p.desired.inst, s.ids, r.states.get(p.desired.inst.host.name)?.resources, {}, s.secrets, []);
      await writeFiles(
        s,
        d.inst.host.name,
        d.reload!.files.map((f) => ({ path: `${d.paths.conf}/${f}`, content: d.files[f]! })),
      );
      await reloadInstance(s, d);
    }
    await s.state.saveAppliedInventory(r.inv!.file, r.inv!.raw);
  },
};

function stepContext(r: UpRun): StepContext {
  const s = session(r);
  const tools = drainContext(s, 120);
  return {
    inv: s.inv,
    ids: s.ids,
    secrets: s.secrets,
    exec: tools.exec,
    toolEnv: tools.toolEnv,
    finalize: r.o.finalize !== false,
    stateDir: s.state.dir,
    dryRun: r.dryRun,
    quiet: r.quiet,
    signal: r.signal,
    managedRoles: r.roles,
    log: (line) => print(r, line),
    change: (line) => s.changes.push(line),
    warn: (line) => r.result.warnings.push(line),
  };
}

/** A service's step (topics, jobs, registrations) as a step of up; in a dry run, an unreachable target is a warning. */
function fromService(st: ServiceStep): UpStep {
  return {
    name: st.name,
    shouldRun: (r) => st.shouldRun(stepContext(r)),
    async run(r) {
      heading(r, st.name);
      try {
        r.result[st.name] = await st.run(stepContext(r));
      } catch (e) {
        if (!r.dryRun) throw e;
        r.result.warnings.push(st.notReachable?.(errorText(e)) ?? `${st.name} not checked: ${errorText(e)}`);
      }
    },
  };
}

/**
 * Last, when this run changed something: a tagged record down each ingestion path, followed to the dashboards. A
 * record that misses a hop fails the run, naming the hop: the cluster is up but does not work end to end.
 */
const wholeFlow: UpStep = {
  name: 'verify',
  shouldRun: (r) => !r.dryRun && r.result.changes.length > 0 && ingestPaths(session(r)).length > 0,
  async run(r) {
    heading(r, 'verify');
    const w = await checkWholeFlow(session(r), { timeoutSec: r.o.timeoutSec ? Math.min(r.o.timeoutSec, 120) : 90 });
    r.result.verify = w;
    for (const line of wholeFlowLines(w)) print(r, line);
    const failed = w.paths.filter((p) => !p.ok);
    if (failed.length) {
      throw new PyroError(
        'WHOLE_FLOW_FAILED',
        `the whole-flow check failed on ${failed.length} of ${w.paths.length} paths: ${failed.map((p) => `${p.path}: first hop missed ${p.missed}${p.hops.find((h) => !h.reached)?.detail ? ` (${p.hops.find((h) => !h.reached)!.detail})` : ''}`).join('; ')}`,
        { hint: 'the services are up; `pyro jobs` and `pyro status` show which part is not working; `pyro verify` checks again' },
      );
    }
  },
};

/** Every step of `pyro up`, in order: the same list for a dry run and a real one. */
export const UP_STEPS: readonly UpStep[] = [
  validate,
  lock,
  leaving,
  connect,
  prepare,
  artifacts,
  readState,
  plan,
  push,
  files,
  tiers,
  retire,
  ...MODULES.flatMap((m) => m.steps ?? []).map(fromService),
  wholeFlow,
];

/** The closing lines services offer from their steps' results (where the dashboards are, how to log in). */
export function closingHints(r: UpRun): string | undefined {
  if (!r.session) return undefined;
  const ctx = stepContext(r);
  const lines = MODULES.flatMap((m) => m.steps ?? [])
    .map((st) => st.closing?.(ctx, r.result[st.name]))
    .filter((x): x is string => Boolean(x));
  return lines.length ? lines.join('\n') : undefined;
}
