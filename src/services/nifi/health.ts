import type { ServiceInstance } from '../../inventory/types.js';
import type { Bulletin, BulletinBoard, ConnectionStatusSnapshot, GroupStatusSnapshot, NifiApi, ProcessGroupEntity, ProcessorStatusSnapshot } from './api.js';
import { deployedHash, flowsOf } from './flows.js';

// What a node says about its declared flows: each flow's process group, its processors' run states, its rates and
// queues, and its ERROR bulletins. Read by the gate, the flows step and `pyro status` alike.

/** ERROR bulletins younger than this make a flow unhealthy (a failing processor repeats its bulletin well within it). */
export const ERROR_WINDOW_SEC = 120;
/** NiFi's status counts cover the last five minutes. */
export const STATUS_WINDOW_SEC = 300;

export interface FlowHealth {
  flow: string;
  /** The flow's process group exists on the node (deployed by pyro or not). */
  deployed: boolean;
  /** The hash pyro deployed it with (undefined: not deployed by pyro). */
  hash?: string;
  groupId?: string;
  processors: number;
  running: number;
  /** Processors that are not running, as `Publish (Stopped)`. */
  notRunning: string[];
  /** FlowFiles per second in (received by its sources or through its input ports) and out (sent or through output ports), over five minutes. */
  inPerSec: number;
  outPerSec: number;
  queued: number;
  /** The fullest connection against its back-pressure threshold (count or size, whichever is fuller), in percent. */
  fillPercent: number;
  fullest?: string;
  /** ERROR bulletins of the last ERROR_WINDOW_SEC, oldest first: `Publish: message`. */
  errors: string[];
}

const secondsOfDay = (t: string) => {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})/.exec(t);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
};

/** A bulletin's age in seconds on NiFi's own clock (timestamps carry no date: an age wraps at midnight). */
export function bulletinAge(b: Bulletin, generated: string): number | undefined {
  const [at, now] = [secondsOfDay(b.timestamp ?? ''), secondsOfDay(generated)];
  if (at === undefined || now === undefined) return undefined;
  return (now - at + 86_400) % 86_400;
}

/**
 * ERROR bulletins no older than `maxAgeSec` (one of unknown age counts), as `source: message`, each once (a
 * failing processor repeats itself), oldest first.
 */
export function recentErrors(board: BulletinBoard, maxAgeSec = ERROR_WINDOW_SEC): string[] {
  const lines = board.bulletins
    .filter((b) => b.level === 'ERROR' && (bulletinAge(b, board.generated) ?? 0) <= maxAgeSec)
    .sort((a, b) => a.id - b.id)
    // The processor's id in the message says nothing its name does not.
    .map(
      (b) =>
        `${b.sourceName ?? b.sourceId ?? 'NiFi'}: ${b.message
          .replace(/^\w+\[id=[0-9a-f-]+\]\s*/, '')
          .replace(/\s+/g, ' ')
          .trim()}`,
    );
  return [...new Set(lines)];
}

function processorsOf(s: GroupStatusSnapshot): ProcessorStatusSnapshot[] {
  return [
    ...(s.processorStatusSnapshots ?? []).map((p) => p.processorStatusSnapshot),
    ...(s.processGroupStatusSnapshots ?? []).flatMap((g) => processorsOf(g.processGroupStatusSnapshot)),
  ];
}

function connectionsOf(s: GroupStatusSnapshot): ConnectionStatusSnapshot[] {
  return [
    ...(s.connectionStatusSnapshots ?? []).map((c) => c.connectionStatusSnapshot),
    ...(s.processGroupStatusSnapshots ?? []).flatMap((g) => connectionsOf(g.processGroupStatusSnapshot)),
  ];
}

/** A deployed flow's health from its group's recursive status and bulletin board. */
export function flowHealth(flow: string, group: ProcessGroupEntity, status: GroupStatusSnapshot, board: BulletinBoard): FlowHealth {
  const processors = processorsOf(status);
  const running = processors.filter((p) => p.runStatus === 'Running');
  const conns = connectionsOf(status);
  const fullest = conns.map((c) => ({ c, fill: Math.max(c.percentUseCount ?? 0, c.percentUseBytes ?? 0) })).sort((a, b) => b.fill - a.fill)[0];
  const rate = (n: number) => Math.round((n / STATUS_WINDOW_SEC) * 100) / 100;
  return {
    flow,
    deployed: true,
    hash: deployedHash(group.component.comments),
    groupId: group.id,
    processors: processors.length,
    running: running.length,
    notRunning: processors.filter((p) => p.runStatus !== 'Running').map((p) => `${p.name} (${p.runStatus})`),
    inPerSec: rate((status.flowFilesIn ?? 0) + (status.flowFilesReceived ?? 0)),
    outPerSec: rate((status.flowFilesOut ?? 0) + (status.flowFilesSent ?? 0)),
    queued: status.flowFilesQueued ?? 0,
    fillPercent: fullest?.fill ?? 0,
    ...(fullest && fullest.fill > 0 ? { fullest: `${fullest.c.sourceName} -> ${fullest.c.destinationName}` } : {}),
    errors: recentErrors(board),
  };
}

/** Healthy: every processor running, no recent ERROR bulletin. A flow not deployed yet is not judged here. */
export function healthProblem(h: FlowHealth): string | undefined {
  if (!h.deployed) return undefined;
  const why: string[] = [];
  if (h.notRunning.length) why.push(`not running: ${h.notRunning.join(', ')}`);
  if (h.errors.length) why.push(`ERROR bulletins: ${h.errors.slice(-3).join(' | ')}`);
  return why.length ? `flow ${h.flow}: ${why.join('; ')}` : undefined;
}

/** The declared flows of a node as it reports them, in declaration order. */
export async function readFlows(api: NifiApi, inst: ServiceInstance, rootId?: string): Promise<FlowHealth[]> {
  const root = rootId ?? (await api.rootId());
  // A new node's initial admin may manage policies but may not read the root group until pyro grants it that,
  // which it does when it first deploys: until then, nothing of pyro's is deployed there.
  const groups = await api.childGroups(root).catch((e: unknown) => {
    if ((e as { status?: number }).status === 403) return [];
    throw e;
  });
  return Promise.all(
    flowsOf(inst).map(async (f): Promise<FlowHealth> => {
      const g = groups.find((x) => x.component.name === f.name);
      if (!g)
        return { flow: f.name, deployed: false, processors: 0, running: 0, notRunning: [], inPerSec: 0, outPerSec: 0, queued: 0, fillPercent: 0, errors: [] };
      const [status, board] = await Promise.all([api.status(g.id), api.bulletins(g.id)]);
      return flowHealth(f.name, g, status, board);
    }),
  );
}
