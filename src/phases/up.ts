import { syncSuperset, type SyncReport } from '../superset/sync.js';
import { adminUser, supersetInstance, supersetUrl } from '../superset/registry.js';
import { ArtifactCache } from '../artifacts/cache.js';
import { pushItems } from '../artifacts/items.js';
import { artifactNeeds } from '../artifacts/needs.js';
import { pushHost, type PushItem } from '../artifacts/push.js';
import { recipeFor } from '../artifacts/catalog.js';
import { errorText } from '../clients/http.js';
import { jobFromInventory } from '../jobs/spec.js';
import { submitJob } from '../jobs/submit.js';
import { liveApp } from '../jobs/yarn-apps.js';
import { runOnHosts, valuesOrThrow } from '../hosts/parallel.js';
import { appendHistory } from '../state/history.js';
import type { Output } from '../ui/output.js';
import { desiredFor, managedInstances, unmanagedRoles } from './desired.js';
import { readHostState, type HostState } from './host-state.js';
import { openSession } from './open.js';
import { planInstance, type InstancePlan } from './plan.js';
import { writeFiles } from './service-ops.js';
import { hostOf, note, say, type Session } from './session.js';
import { runTier, type TierTiming } from './tiers.js';
import { syncTopics, type TopicChange } from './topics.js';

export interface UpOptions {
  inventory: string;
  dryRun?: boolean;
  quiet?: boolean;
  timeoutSec?: number;
  trustNewHosts?: boolean;
}

export interface UpResult {
  ok: boolean;
  dryRun: boolean;
  seconds: number;
  /** One line per change made (or, in a dry run, planned). */
  changes: string[];
  tiers: TierTiming[];
  topics: TopicChange[];
  warnings: string[];
  /** What was registered in Superset (or, in a dry run, would be). */
  superset?: SyncReport;
  /** Where to look: the dashboards' URLs and how to log in (printed last by the up command). */
  openHint?: string;
}

const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;

/** Cached distributions by component; in a dry run nothing is fetched and what is missing is only reported. */
async function artifactItems(s: Session, cache: ArtifactCache): Promise<Map<string, PushItem>> {
  if (!s.dryRun) return pushItems(s.inv, cache, { signal: s.signal, log: (l) => note(s, `  ${l}`) });
  const items = new Map<string, PushItem>();
  const needed = new Set(artifactNeeds(s.inv).perHost.flatMap((h) => h.components));
  for (const c of needed) {
    const r = recipeFor(c, s.inv.raw.artifacts?.versions?.[c]);
    const e = await cache.peek(r.component, r.version);
    if (!e) s.changes.push(`control: fetch ${c} ${r.version} into the cache`);
    items.set(c, { component: c, version: r.version, sha256: e?.sha256 ?? 'not-fetched', size: e?.size ?? 0, blob: e ? cache.blobPath(e.sha256) : '', hostSetup: r.hostSetup });
  }
  return items;
}

/** Prints a host's plan and records each change as a line. */
function showPlan(s: Session, host: string, state: HostState, plans: InstancePlan[]): void {
  const verb = s.dryRun ? 'would ' : '';
  const record = (line: string) => {
    s.changes.push(`${host}: ${line}`);
    say(s, host, `${verb}${line}`);
  };
  for (const p of state.push) if (p.action !== 'skip') record(p.action === 'link' ? `switch ${p.item.component} to ${p.item.version} (${p.remote})` : `push ${p.item.component} ${p.item.version}${p.item.size ? ` (${mib(p.item.size)})` : ''}`);
  for (const p of plans) {
    const role = p.desired.inst.def.role;
    for (const f of p.files) {
      record(`write ${p.desired.paths.conf}/${f.name}`);
      if (!s.quiet && f.diff[0] !== '(new file)') for (const line of f.diff.slice(0, 20)) s.out.info(`      ${line}`);
    }
    if (p.format) record(`format ${role} ${p.desired.format!.dir}`);
    if (p.action !== 'none') record(`${p.action} ${role} (${p.reasons.join('; ')})`);
  }
}

/** Submits every declared job YARN does not run; returns one line per job submitted (or, dry, to submit). */
async function submitDeclaredJobs(s: Session, dryRun: boolean): Promise<string[]> {
  const done: string[] = [];
  const ctx = { inv: s.inv, stateDir: s.state.dir, secrets: s.secrets, log: (l: string) => note(s, `   ${l}`), signal: s.signal };
  for (const j of s.inv.jobs) {
    if (await liveApp(s.inv, j.name)) continue;
    if (dryRun) {
      done.push(`submit job ${j.name}`);
      continue;
    }
    const r = await submitJob(ctx, jobFromInventory(s.inv, j.name));
    done.push(`submit job ${j.name} (${r.appId})`);
    note(s, `[yarn] job ${j.name} running as ${r.appId}`);
  }
  return done;
}

function printOutput(out: Output, quiet: boolean, line: string): void {
  if (!quiet) out.info(line);
}

/** Superset registrations run when the inventory has Superset and a database for it (the serving store or declared). */
function wantsSync(s: Session): boolean {
  const has = (role: string) => s.inv.instances.some((i) => i.def.role === role);
  return has('superset') && (has('postgresql') || Boolean(s.inv.raw.databases?.length));
}

/** Registers the serving database, datasets and dashboards in Superset (or says what it would). */
async function supersetStep(s: Session, dryRun: boolean, warnings: string[]): Promise<SyncReport> {
  printOutput(s.out, s.quiet, s.out.color.bold('== superset'));
  const r = await syncSuperset(s.inv, s.secrets, { dryRun, log: (l) => printOutput(s.out, s.quiet, `[superset] ${l}`) });
  const changed = (a: string) => a !== 'unchanged' && a !== 'not pyro\'s' && a !== 'table missing';
  for (const d of r.databases) if (changed(d.action)) s.changes.push(`superset: ${d.action} database ${d.name}`);
  for (const d of r.datasets) if (changed(d.action)) s.changes.push(`superset: ${d.action} dataset ${d.database}.${d.schema}.${d.table}`);
  for (const d of r.dashboards) if (d.action !== 'unchanged') s.changes.push(`superset: ${d.action} dashboard ${d.title}`);
  for (const d of r.removed) warnings.push(`superset: dataset ${d.database}.${d.schema}.${d.table} is no longer in the inventory; \`pyro superset sync --prune\` deletes it`);
  return r;
}

/** The closing lines: where the dashboards (or Superset) are and how to log in. */
function supersetWhere(s: Session, r: SyncReport | undefined, url: string): string {
  const where = r?.dashboards.length ? r.dashboards.map((d) => `${d.title}: ${d.url}`).join('\n') : `Superset: ${url}/`;
  return `${where}\nlog in as ${adminUser(s.inv)}; \`pyro credentials superset -i ${s.inv.file}\` shows the password`;
}

/**
 * `pyro up`: validate, connect, read every host's state in one round trip, plan, then (unless a dry run) push
 * artifacts, write changed files and bring each tier up in dependency order with its gates, then the topics.
 */
export async function runUp(o: UpOptions, out: Output, signal: AbortSignal): Promise<UpResult> {
  const t0 = Date.now();
  const quiet = Boolean(o.quiet);
  printOutput(out, quiet, out.color.bold(`== ${o.dryRun ? 'planning' : 'bringing up'} the cluster`));
  const s = await openSession({ inventory: o.inventory, command: `pyro up${o.dryRun ? ' --dry-run' : ''}`, out, signal, dryRun: o.dryRun, quiet, readyTimeoutSec: o.timeoutSec, lock: true, trustNewHosts: o.trustNewHosts });
  const result: UpResult = { ok: false, dryRun: Boolean(o.dryRun), seconds: 0, changes: s.changes, tiers: [], topics: [], warnings: [] };
  try {
    for (const role of unmanagedRoles(s.inv)) result.warnings.push(`${role}: not started by pyro up yet (no runtime for it in this version)`);
    const items = await artifactItems(s, new ArtifactCache());
    const builds = Object.fromEntries([...items.values()].map((i) => [i.component, i.sha256]));
    const needs = artifactNeeds(s.inv);
    const managed = managedInstances(s.inv);
    const specs = [...s.hosts.keys()].map((n) => s.inv.hosts.find((h) => h.name === n)!);

    // One round trip per host: services, their files and data dirs, memory, artifacts.
    const states = new Map<string, HostState>();
    const hostItems = (name: string) => (needs.perHost.find((h) => h.spec.name === name)?.components ?? []).map((c) => items.get(c)!);
    valuesOrThrow(
      await runOnHosts(specs, async (spec) => {
        const pre = managed.filter((i) => i.host === spec).map((i) => desiredFor(s.inv, i, s.ids, undefined, {}, s.secrets));
        states.set(spec.name, await readHostState(hostOf(s, spec.name), spec, pre, hostItems(spec.name), { signal }));
      }, { signal }),
      'reading host state',
    );

    // The plan: the same for a dry run and a real one.
    const plans = new Map<string, InstancePlan[]>();
    valuesOrThrow(
      await runOnHosts(specs, async (spec) => {
        const st = states.get(spec.name)!;
        const ps = managed.filter((i) => i.host === spec).map((i) => {
          const d = desiredFor(s.inv, i, s.ids, st.resources, builds, s.secrets);
          return planInstance(d, st);
        });
        plans.set(spec.name, ps);
      }),
      'planning',
    );
    printOutput(out, quiet, out.color.bold('== plan'));
    for (const spec of specs) showPlan(s, spec.name, states.get(spec.name)!, plans.get(spec.name)!);
    const allPlans = [...plans.values()].flat();

    if (o.dryRun) {
      try {
        const t = await syncTopics(s.inv, true);
        result.topics = t.changes;
        result.warnings.push(...t.warnings);
      } catch (e) {
        if (s.inv.topics.length) result.warnings.push(`topics not checked: Kafka is not reachable (${errorText(e)}); they are created once it is up`);
      }
      for (const t of result.topics) s.changes.push(`kafka: ${t.action} topic ${t.topic} (${t.detail})`);
      if (!quiet) for (const t of result.topics) out.info(`[kafka] would ${t.action} topic ${t.topic}: ${t.detail}`);
      if (s.inv.jobs.length) {
        try {
          for (const j of await submitDeclaredJobs(s, true)) {
            s.changes.push(j);
            printOutput(out, quiet, `[yarn] would ${j}`);
          }
        } catch (e) {
          result.warnings.push(`jobs not checked: YARN is not reachable (${errorText(e)}); declared jobs are submitted once it is up`);
        }
      }
      if (wantsSync(s)) {
        try {
          result.superset = await supersetStep(s, true, result.warnings);
        } catch (e) {
          result.warnings.push(`Superset registrations not checked: ${errorText(e).split('\n')[0]}; they are made once it is up`);
        }
      }
      for (const w of result.warnings) if (!quiet) out.warn(w);
      if (!s.changes.length) printOutput(out, quiet, `nothing to change: ${allPlans.length} services running and up to date`);
      result.ok = true;
      return result;
    }

    // Artifacts, then files: a host gets its config only once its distributions are in place.
    const pushing = specs.filter((spec) => states.get(spec.name)!.push.some((p) => p.action !== 'skip'));
    if (pushing.length) {
      printOutput(out, quiet, out.color.bold(`== pushing distributions to ${pushing.length} host${pushing.length === 1 ? '' : 's'}`));
      valuesOrThrow(await runOnHosts(pushing, (spec) => pushHost(hostOf(s, spec.name), spec, hostItems(spec.name), { signal }), { signal }), 'push');
    }
    const writing = specs.filter((spec) => plans.get(spec.name)!.some((p) => p.files.length));
    valuesOrThrow(
      await runOnHosts(writing, (spec) => writeFiles(s, spec.name, plans.get(spec.name)!.flatMap((p) => p.files.map((f) => ({ path: f.path, content: f.content, mode: f.private ? '600' : f.name === 'run.sh' ? '755' : '644' })))), { signal }),
      'writing config files',
    );

    // Tiers in dependency order; each ends with every instance ready and its gate passed.
    const roles = [...new Set(managed.map((i) => i.def.role))];
    for (const role of roles) {
      const tierPlans = allPlans.filter((p) => p.desired.inst.def.role === role);
      result.tiers.push(await runTier(s, role, tierPlans));
      await s.state.recordAppliedAll(Object.fromEntries(tierPlans.map((p) => [`${p.desired.inst.host.name}/${role}`, p.desired.hash])));
    }

    if (s.inv.topics.length && roles.includes('kafka-broker')) {
      const t = await syncTopics(s.inv, false);
      result.topics = t.changes;
      result.warnings.push(...t.warnings);
      for (const c of t.changes) {
        s.changes.push(`kafka: ${c.action} topic ${c.topic} (${c.detail})`);
        printOutput(out, quiet, `[kafka] ${c.action} topic ${c.topic}: ${c.detail}`);
      }
    }
    if (s.inv.jobs.length && roles.includes('yarn-nodemanager')) {
      printOutput(out, quiet, out.color.bold('== jobs'));
      for (const j of await submitDeclaredJobs(s, false)) s.changes.push(j);
    }
    if (wantsSync(s)) result.superset = await supersetStep(s, false, result.warnings);
    for (const w of result.warnings) if (!quiet) out.warn(w);
    result.ok = true;
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    printOutput(out, quiet, s.changes.length ? `cluster ${s.inv.clusterName} is up: ${s.changes.length} change(s) in ${secs} s` : `nothing changed: ${allPlans.length} services running and healthy (${secs} s)`);
    const ss = supersetInstance(s.inv);
    if (ss) result.openHint = supersetWhere(s, result.superset, supersetUrl(ss));
    return result;
  } catch (e) {
    if (!o.dryRun) await appendHistory(s.state.dir, { command: 'up', result: signal.aborted ? 'cancelled' : 'failed', seconds: (Date.now() - t0) / 1000, changes: s.changes, error: (e as Error).message.split('\n')[0] }).catch(() => undefined);
    throw e;
  } finally {
    result.seconds = (Date.now() - t0) / 1000;
    // A dry run leaves no trace, not even in the history.
    if (result.ok && !o.dryRun) await appendHistory(s.state.dir, { command: 'up', result: 'ok', seconds: result.seconds, changes: s.changes }).catch(() => undefined);
    await s.close();
  }
}
