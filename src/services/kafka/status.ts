import { errorText } from '../../clients/http.js';
import { kafkaHealth, withAdmin } from '../../clients/kafka-admin.js';
import { describeQuorum } from '../../clients/kafka-wire.js';
import type { ServiceInstance } from '../../inventory/types.js';
import type { ComponentSummary } from '../definition.js';
import { orError, type ProbeContext } from '../runtime.js';
import { bootstrapServers, BROKER, brokerCount, CONTROLLER, nodeId } from './endpoints.js';
import { METADATA_VERSION, pendingFinalize, readFeatures } from './features.js';
import { FINALIZE_HINT } from './upgrade.js';

type Quorum = { leaderId: number; voters: number[]; epoch: number };

/** The first controller that answers DescribeQuorum as the leader. */
async function quorum(controllers: readonly ServiceInstance[]): Promise<Quorum | undefined> {
  for (const c of controllers) {
    try {
      const q = await describeQuorum(c.host.address, c.ports.controller!);
      if (q.errorCode !== 0) continue;
      return { leaderId: q.leaderId, voters: q.voters.map((v) => v.id), epoch: q.leaderEpoch };
    } catch {
      // try the next controller
    }
  }
  return undefined;
}

/** Kafka in `pyro status`: the quorum, the brokers, partitions and topics. */
export async function kafkaStatus(ctx: ProbeContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined> {
  const bs = managed.filter((i) => i.def.role === BROKER);
  if (!bs.length) return undefined;
  const k = await orError(async () => {
    const h = await withAdmin(bootstrapServers(ctx.inv), kafkaHealth);
    const controller = await quorum(managed.filter((i) => i.def.role === CONTROLLER));
    return { ...h, topicNames: h.topicNames.filter((t) => !t.startsWith('__')).sort(), expectedBrokers: brokerCount(ctx.inv), controller };
  }, errorText);
  const problems: string[] = [];
  let line: string;
  if ('error' in k) {
    problems.push(`Kafka: ${k.error}`);
    line = `Kafka  unreachable: ${k.error}`;
  } else {
    if (k.brokers.length < k.expectedBrokers) problems.push(`Kafka: ${k.brokers.length}/${k.expectedBrokers} brokers registered`);
    if (k.underReplicated) problems.push(`Kafka: ${k.underReplicated} under-replicated partitions`);
    if (k.offline) problems.push(`Kafka: ${k.offline} offline partitions`);
    if (!k.controller || k.controller.leaderId < 0) problems.push('Kafka: no metadata quorum leader');
    line = `Kafka  controller leader ${k.controller ? `${k.controller.leaderId} (voters ${k.controller.voters.join(',')}, epoch ${k.controller.epoch})` : 'unknown'}, ${k.brokers.length}/${k.expectedBrokers} brokers [${k.brokers.join(',')}], ${k.underReplicated} under-replicated of ${k.partitions} partitions, topics: ${k.topicNames.join(', ') || '(none)'}`;
  }
  const lines = [line];
  const f = await orError(() => readFeatures(ctx.inv), errorText);
  if (!('error' in f) && pendingFinalize(f))
    lines.push(`Kafka  upgrade not finalised: metadata.version ${f.finalized[METADATA_VERSION] ?? 0}, every node supports ${f.commonMax}; ${FINALIZE_HINT}`);
  // Brokers' node ids are only in the state, so show them beside the bootstrap list.
  const ui = { 'Kafka bootstrap': bs.map((b) => `${b.host.address}:${b.ports.client} (id ${nodeId(ctx.ids, b)})`).join(', ') };
  return { key: 'kafka', data: { ...k, features: 'error' in f ? undefined : f }, lines, problems, ui };
}
