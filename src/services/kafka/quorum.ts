import { describeQuorum, NOT_LEADER } from '../../clients/kafka-wire.js';
import { shellQuote } from '../../hosts/host.js';
import type { ServiceInstance } from '../../inventory/types.js';
import { HostError } from '../../util/errors.js';
import { pollUntil } from '../../util/poll.js';
import { instancePaths, type DrainContext, type Retire } from '../runtime.js';
import { controllers, dynamicQuorum, nodeId, nodeKey } from './endpoints.js';
import { KAFKA_HINT, tool } from './tool.js';

// A dynamic KRaft quorum's membership (KIP-853): a controller added to the inventory joins as a voter once it has
// caught up as an observer; one removed leaves the voter set before it stops.

const QUORUM_TOOL = 'org.apache.kafka.tools.MetadataQuorumCommand';

/** The voters as the quorum leader reports them, or undefined when no leader answers. */
export async function quorumVoterIds(of: readonly ServiceInstance[]): Promise<number[] | undefined> {
  for (const c of of) {
    try {
      const q = await describeQuorum(c.host.address, c.ports.controller!);
      if (q.errorCode === NOT_LEADER || q.leaderId < 0) continue;
      return q.voters.map((v) => v.id);
    } catch {
      // the next controller
    }
  }
  return undefined;
}

const firstLine = (e: unknown) => ((e as Error).message.split('\n').find((l) => /exception|error/i.test(l)) ?? (e as Error).message).slice(0, 200);

/**
 * Started controllers that are not voters yet are added, one at a time (add-controller with the new controller's
 * own config, run on its host; the leader accepts it once it has caught up). A restarted voter is left alone.
 */
export async function joinControllers(started: readonly ServiceInstance[], ctx: DrainContext): Promise<void> {
  if (!dynamicQuorum(ctx.ids)) return;
  const all = controllers(ctx.inv);
  for (const c of started) {
    const id = nodeId(ctx.ids, c);
    const others = all.filter((x) => x !== c);
    await pollUntil(
      `controller ${id} (${c.host.name}) joining the quorum`,
      async () => {
        const voters = await quorumVoterIds(all);
        if (!voters) return { done: false, detail: 'no quorum leader yet' };
        if (voters.includes(id)) return { done: true, detail: `controller ${id} is a voter (voters ${voters.join(',')})` };
        try {
          await tool(ctx, c, QUORUM_TOOL, ['--command-config', `${instancePaths(c).conf}/server.properties`, 'add-controller'], { controllers: others });
          ctx.log(`kafka: controller ${id} (${c.host.name}) added to the quorum`);
        } catch (e) {
          return { done: false, detail: `add-controller: ${firstLine(e)}` };
        }
        return { done: false, detail: 'added; waiting for the leader to commit it' };
      },
      { timeoutSec: ctx.timeoutSec, signal: ctx.signal, everyMs: 3000, log: (l) => ctx.log(`kafka: ${l}`) },
    );
  }
}

/**
 * The id of a controller's metadata dir, as its format wrote it (a controller formatted --no-initial-controllers
 * gets a random one), else the one pyro gave it.
 */
async function directoryId(c: ServiceInstance, ctx: DrainContext): Promise<string> {
  const r = await ctx.exec(c, `sed -n 's/^directory\\.id=//p' ${shellQuote(`${c.dirs.metadata!}/meta.properties`)}`, 30);
  const id = r.stdout.trim() || ctx.ids.kafkaQuorum?.directoryIds[nodeKey(c)];
  if (!id) throw new HostError('KAFKA_TOOL_FAILED', c.host.name, `no directory.id in ${c.dirs.metadata!}/meta.properties`, { hint: KAFKA_HINT });
  return id;
}

/**
 * Controllers leave a dynamic quorum: each is removed from the voter set (remove-controller, by its id and
 * metadata dir id) before it stops, so the quorum's majority is counted over those that stay. A static quorum
 * cannot change its voters.
 */
export const controllerRetire: Retire = {
  async refuse(leaving, ctx) {
    if (dynamicQuorum(ctx.ids)) return undefined;
    return {
      reason: `${leaving.length === 1 ? 'it is a voter' : 'they are voters'} of a static KRaft quorum (controller.quorum.voters), which cannot change its voters`,
      hint: `put it back in ${ctx.inv.file}; nothing was changed. The README's "Kafka controllers" section says how to move the cluster to a dynamic quorum (Kafka 4.1+), after which controllers can leave`,
    };
  },
  async drain(leaving, ctx) {
    const staying = ctx.staying.filter((i) => i.def.role === leaving[0]!.def.role);
    for (const c of leaving) {
      const id = nodeId(ctx.ids, c);
      const dir = await directoryId(c, ctx);
      await pollUntil(
        `controller ${id} (${c.host.name}) leaving the quorum`,
        async () => {
          const voters = await quorumVoterIds(staying);
          if (voters && !voters.includes(id)) return { done: true, detail: `controller ${id} is no longer a voter (voters ${voters.join(',')})` };
          try {
            await tool(ctx, staying[0]!, QUORUM_TOOL, ['remove-controller', '--controller-id', String(id), '--controller-directory-id', dir!], {
              controllers: staying,
            });
            ctx.log(`kafka: controller ${id} (${c.host.name}) removed from the quorum`);
          } catch (e) {
            return { done: false, detail: `remove-controller: ${firstLine(e)}` };
          }
          return { done: false, detail: 'removed; waiting for the leader to commit it' };
        },
        { timeoutSec: ctx.timeoutSec, signal: ctx.signal, everyMs: 3000, log: (l) => ctx.log(`kafka: ${l}`) },
      );
    }
  },
};
