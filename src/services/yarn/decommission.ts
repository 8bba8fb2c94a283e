import { getJson } from '../../clients/http.js';
import type { ServiceInstance } from '../../inventory/types.js';
import { pollUntil } from '../../util/poll.js';
import { shellQuote as q } from '../../hosts/host.js';
import type { DrainContext, Retire, RuntimeContext } from '../runtime.js';
import { rmStateDir } from './files.js';
import { resourceManagerHttp } from './endpoints.js';

/**
 * How long the ResourceManager lets the containers of a NodeManager being drained run before it cuts them off
 * (`rmadmin -refreshNodes -g`): a batch task finishes; a streaming job's executors are started elsewhere.
 */
export const GRACEFUL_DECOMMISSION_SEC = 300;

const ALL_STATES = 'NEW,RUNNING,UNHEALTHY,DECOMMISSIONING,DECOMMISSIONED,LOST,REBOOTED,SHUTDOWN';

interface RmNode {
  nodeHostName?: string;
  state?: string;
  numContainers?: number;
}

/** Where a leaving NodeManager stands at the ResourceManager (`gone`: not listed, e.g. it never registered). */
export function nodeDrainState(address: string, nodes: RmNode[]): { state: string; containers: number } {
  const mine = nodes.filter((n) => n.nodeHostName === address);
  if (!mine.length) return { state: 'gone', containers: 0 };
  // A host's node id changes when its NodeManager restarts: its newest entry (one not DECOMMISSIONED/SHUTDOWN) rules.
  const current = mine.find((n) => n.state !== 'DECOMMISSIONED' && n.state !== 'SHUTDOWN' && n.state !== 'LOST') ?? mine[0]!;
  return { state: current.state ?? 'UNKNOWN', containers: current.numContainers ?? 0 };
}

/**
 * NodeManagers leave through graceful decommissioning: the ResourceManager (told by its exclude list) gives them no
 * new container and lets running ones finish, up to GRACEFUL_DECOMMISSION_SEC; they are stopped once DECOMMISSIONED.
 */
export const nodeManagerRetire: Retire = {
  async drain(leaving, ctx) {
    await pollUntil(`decommissioning NodeManagers on ${leaving.map((i) => i.host.name).join(', ')}`, () => drained(leaving, ctx), {
      timeoutSec: Math.max(ctx.timeoutSec, GRACEFUL_DECOMMISSION_SEC + 60),
      signal: ctx.signal,
      log: (l) => ctx.log(`yarn-nodemanager: ${l}`),
    });
  },
};

async function drained(leaving: readonly ServiceInstance[], ctx: DrainContext) {
  // Inactive nodes (DECOMMISSIONED, SHUTDOWN...) are listed only when asked for by state.
  const r = await getJson<{ nodes?: { node?: RmNode[] } | null }>(`${resourceManagerHttp(ctx.inv)}/ws/v1/cluster/nodes?states=${ALL_STATES}`);
  const nodes = r.nodes?.node ?? [];
  const states = leaving.map((i) => ({ host: i.host.name, ...nodeDrainState(i.host.address, nodes) }));
  return {
    done: states.every((s) => s.state === 'DECOMMISSIONED' || s.state === 'gone' || s.state === 'SHUTDOWN' || s.state === 'LOST'),
    detail: states.map((s) => `${s.host} ${s.state}${s.state === 'DECOMMISSIONING' ? ` (${s.containers} containers running)` : ''}`).join(', '),
  };
}

/**
 * A NodeManager with supervised recovery leaves its containers running when it stops, so that a restart keeps them.
 * Stopped for good, its containers go too: every process whose command line runs from its local dirs (the launch
 * script and the JVM it starts both do), TERM, then KILL.
 */
export function stopContainers(ctx: RuntimeContext): string {
  const dir = q(`${ctx.inst.dirs.local}/usercache/`);
  return `if pkill -TERM -f -- ${dir} 2>/dev/null; then sleep 3; pkill -KILL -f -- ${dir} 2>/dev/null; fi; true`;
}

/**
 * Stopped for good, the ResourceManager forgets its applications: their containers are gone with the NodeManagers,
 * and a recovered application without its ApplicationMaster would look RUNNING for the AM expiry (10 min) instead of
 * being submitted again by the next `up`.
 */
export function forgetApplications(ctx: RuntimeContext): string {
  return `rm -rf -- ${q(rmStateDir(ctx.inst))}`;
}
