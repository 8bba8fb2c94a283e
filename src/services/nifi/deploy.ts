import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import { grantAdmin } from './access.js';
import type { NifiApi, ProcessGroupEntity } from './api.js';
import { deployable, deployedHash, flowsOf, type DeployableFlow } from './flows.js';
import { healthProblem, readFlows, type FlowHealth } from './health.js';
import type { AvailableTypes, PublisherChoice } from './publisher.js';
import { readTemplate, templatePath } from './template.js';

// Deploying a node's declared flows: each into its own process group under root, uploaded from its definition,
// its controller services enabled and its processors started. A flow whose group carries the hash of what would
// be uploaded now is left alone; one whose template or parameters changed is replaced (stop, drain, remove,
// upload, start); the others are untouched.

export type FlowAction = 'deployed' | 'replaced' | 'unchanged' | 'started';

export interface FlowChange {
  host: string;
  flow: string;
  action: FlowAction;
  hash: string;
  publisher?: PublisherChoice;
  /** FlowFiles dropped from the replaced flow's queues (what was still queued after it drained for DRAIN_SEC). */
  dropped?: number;
}

export interface DeployOptions {
  dryRun: boolean;
  log(line: string): void;
  warn(line: string): void;
}

/** How long a replaced flow's sources stay stopped while the rest of it empties its queues. */
export const DRAIN_SEC = 30;

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function until(what: string, timeoutSec: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutSec * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutSec} s`);
    await sleep(500);
  }
}

/** Stops a flow: its sources first, until its queues drain (up to DRAIN_SEC), then the rest, then its services. */
async function stopFlow(api: NifiApi, g: ProcessGroupEntity): Promise<number> {
  const flow = await api.groupFlow(g.id);
  const fed = new Set(flow.connections.map((c) => c.component.destination.id));
  const sources = flow.processors.filter((p) => !fed.has(p.id) && p.component.state === 'RUNNING');
  if (sources.length) {
    await api.scheduleComponents(g.id, 'STOPPED', Object.fromEntries(sources.map((p) => [p.id, p.revision])));
    await until(`draining ${g.component.name}`, DRAIN_SEC, async () => (await api.status(g.id)).flowFilesQueued === 0).catch(() => undefined);
  }
  await api.schedule(g.id, 'STOPPED');
  // A group is removed only once no task of it runs any more.
  await until(`stopping ${g.component.name}`, 60, async () => !(await api.status(g.id)).activeThreadCount);
  await api.serviceState(g.id, 'DISABLED');
  const queued = (await api.status(g.id)).flowFilesQueued;
  return queued > 0 ? api.emptyQueues(g.id) : 0;
}

/** Removes a flow's group (refetched: stopping it moved its revision) and its parameter context. */
async function removeFlow(api: NifiApi, g: ProcessGroupEntity): Promise<void> {
  const contextId = (await api.group(g.id)).component.parameterContext?.id;
  // Disabling services is asynchronous: the delete is refused (409) until they are.
  await until(`removing ${g.component.name}`, 60, async () => {
    try {
      await api.deleteGroup(await api.group(g.id));
      return true;
    } catch (e) {
      if ((e as { status?: number }).status === 409) return false;
      throw e;
    }
  });
  const ctx = (await api.parameterContexts()).find((c) => c.id === contextId);
  if (ctx && !(ctx.component.boundProcessGroups ?? []).length) await api.deleteParameterContext(ctx);
}

/** A parameter context left by a flow removed outside pyro: the upload would bind to it instead of making its own. */
async function dropStaleContext(api: NifiApi, name: string): Promise<void> {
  const stale = (await api.parameterContexts()).find((c) => c.component.name === name && !(c.component.boundProcessGroups ?? []).length);
  if (stale) await api.deleteParameterContext(stale);
}

async function startFlow(api: NifiApi, groupId: string): Promise<void> {
  await api.serviceState(groupId, 'ENABLED');
  await api.schedule(groupId, 'RUNNING');
}

/** Where a new flow's group goes on the canvas: four to a row, in declaration order. */
const position = (i: number) => ({ x: (i % 4) * 480, y: Math.floor(i / 4) * 280 });

/** The definitions a node would get, read from the templates (rules have checked them) for what it offers. */
export async function deployablesFor(inv: Inventory, inst: ServiceInstance, available: AvailableTypes): Promise<DeployableFlow[]> {
  return Promise.all(flowsOf(inst).map(async (f) => deployable(inv, f, await readTemplate(templatePath(inv.file, f.template)), available)));
}

/**
 * Brings a node's flows to what the inventory declares. In a dry run it reads only and says what it would do. A
 * group of a declared flow's name that pyro did not deploy is never touched: that is an error.
 */
export async function deployNode(inv: Inventory, api: NifiApi, o: DeployOptions): Promise<FlowChange[]> {
  const inst = api.inst;
  const host = inst.host.name;
  const root = await api.rootId();
  if (!o.dryRun) for (const p of await grantAdmin(api, root)) o.log(`[nifi] ${host}: granted the admin ${p}`);
  const available: AvailableTypes = { processors: await api.processorTypes(), services: await api.controllerServiceTypes() };
  const flows = await deployablesFor(inv, inst, available);
  const groups = await api.childGroups(root);
  const changes: FlowChange[] = [];
  for (const [i, d] of flows.entries()) {
    const existing = groups.find((g) => g.component.name === d.name);
    const base = { host, flow: d.name, hash: d.hash, ...(d.publisher ? { publisher: d.publisher } : {}) };
    if (existing && deployedHash(existing.component.comments) === undefined) {
      throw new Error(`NiFi on ${host} has a process group named ${d.name} that pyro did not deploy; rename it in NiFi or give the flow another name`);
    }
    if (existing && deployedHash(existing.component.comments) === d.hash) {
      if (existing.stoppedCount || existing.disabledCount) {
        if (!o.dryRun) await startFlow(api, existing.id);
        changes.push({ ...base, action: 'started' });
      } else changes.push({ ...base, action: 'unchanged' });
      continue;
    }
    if (o.dryRun) {
      changes.push({ ...base, action: existing ? 'replaced' : 'deployed' });
      continue;
    }
    let dropped: number | undefined;
    if (existing) {
      dropped = await stopFlow(api, existing);
      if (dropped) o.warn(`nifi on ${host}: flow ${d.name}: ${dropped} queued FlowFile(s) did not drain within ${DRAIN_SEC} s and were dropped`);
      await removeFlow(api, existing);
    }
    await dropStaleContext(api, d.name);
    const g = await api.uploadFlow(root, d.name, d.json, position(i));
    await startFlow(api, g.id);
    changes.push({ ...base, action: existing ? 'replaced' : 'deployed', ...(dropped ? { dropped } : {}) });
  }
  const declared = new Set(flows.map((f) => f.name));
  for (const g of groups) {
    if (deployedHash(g.component.comments) && !declared.has(g.component.name))
      o.warn(`nifi on ${host}: flow ${g.component.name} is no longer declared; pyro leaves it as it is (remove its process group in NiFi)`);
  }
  return changes;
}

/** Waits until every declared flow of a node is deployed and healthy; fails naming what is not. */
export async function waitHealthy(api: NifiApi, timeoutSec: number): Promise<FlowHealth[]> {
  const deadline = Date.now() + timeoutSec * 1000;
  for (;;) {
    const flows = await readFlows(api, api.inst);
    const problems = flows.map((f) => (f.deployed ? healthProblem(f) : `flow ${f.flow}: not deployed`)).filter((p): p is string => p !== undefined);
    if (!problems.length) return flows;
    if (Date.now() > deadline) throw new Error(`nifi on ${api.inst.host.name}: ${problems.join('; ')}`);
    await sleep(2000);
  }
}
