import { PyroError } from '../../util/errors.js';
import { withAdmin } from '../../clients/kafka-admin.js';
import type { Inventory } from '../../inventory/types.js';
import { bootstrapServers, brokerCount } from './endpoints.js';
import { topicsOf } from './sections.js';

/** A topic as the inventory wants it. */
export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

export function topicSpecs(inv: Inventory): TopicSpec[] {
  const rf = Math.min(3, brokerCount(inv));
  return topicsOf(inv).map((t) => ({
    name: t.name,
    partitions: t.partitions ?? 1,
    replicationFactor: t.replicationFactor ?? rf,
    config: Object.fromEntries(Object.entries(t.config ?? {}).map(([k, v]) => [k, String(v)])),
  }));
}

export interface TopicChange {
  topic: string;
  action: 'create' | 'add-partitions' | 'alter-config';
  detail: string;
}

/**
 * Creates missing topics, adds partitions and sets the declared configs (declared keys only) of existing ones.
 * What cannot be done safely in place (fewer partitions, another replication factor) is returned as a warning.
 * With `dryRun`, reads only.
 */
export async function syncTopics(inv: Inventory, dryRun: boolean): Promise<{ changes: TopicChange[]; warnings: string[] }> {
  const want = topicSpecs(inv);
  const changes: TopicChange[] = [];
  const warnings: string[] = [];
  if (!want.length) return { changes, warnings };
  await withAdmin(
    bootstrapServers(inv),
    async (admin) => {
      const existing = new Set(await admin.listTopics());
      const present = want.filter((t) => existing.has(t.name));
      const meta = present.length ? await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) }) : { topics: [] };
      const configs = present.length
        ? await admin.describeConfigs({
            resources: present.map((t) => ({ type: 2 /* TOPIC */, name: t.name, configNames: Object.keys(t.config) })),
            includeSynonyms: false,
          })
        : { resources: [] };
      const create = want.filter((t) => !existing.has(t.name));
      for (const t of create)
        changes.push({
          topic: t.name,
          action: 'create',
          detail: `${t.partitions} partitions, replication ${t.replicationFactor}${
            Object.keys(t.config).length
              ? `, ${Object.entries(t.config)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')}`
              : ''
          }`,
        });
      const grow: { topic: string; count: number }[] = [];
      const alter: { name: string; configs: { name: string; value: string }[] }[] = [];
      for (const t of present) {
        const m = meta.topics.find((x) => x.name === t.name)!;
        const have = m.partitions.length;
        const rf = m.partitions[0]?.replicas.length ?? 0;
        if (have < t.partitions) {
          grow.push({ topic: t.name, count: t.partitions });
          changes.push({ topic: t.name, action: 'add-partitions', detail: `partitions ${have} -> ${t.partitions}` });
        } else if (have > t.partitions) {
          warnings.push(`topic ${t.name} has ${have} partitions, the inventory says ${t.partitions}: Kafka cannot remove partitions; left as it is`);
        }
        if (rf !== t.replicationFactor)
          warnings.push(
            `topic ${t.name} has replication ${rf}, the inventory says ${t.replicationFactor}: changing it needs a partition reassignment; left as it is`,
          );
        const res = configs.resources.find((r) => r.resourceName === t.name);
        const diff = Object.entries(t.config).filter(([k, v]) => res?.configEntries.find((e) => e.configName === k)?.configValue !== v);
        if (diff.length) {
          // AlterConfigs replaces a topic's dynamic config as a whole: send every declared key, not just the diff.
          alter.push({ name: t.name, configs: Object.entries(t.config).map(([name, value]) => ({ name, value })) });
          changes.push({ topic: t.name, action: 'alter-config', detail: diff.map(([k, v]) => `${k}=${v}`).join(', ') });
        }
      }
      if (dryRun) return;
      if (create.length) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: create.map((t) => ({
            topic: t.name,
            numPartitions: t.partitions,
            replicationFactor: t.replicationFactor,
            configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
          })),
        });
      }
      if (grow.length) await admin.createPartitions({ topicPartitions: grow });
      if (alter.length) await admin.alterConfigs({ validateOnly: false, resources: alter.map((a) => ({ type: 2, name: a.name, configEntries: a.configs })) });
      // A new topic's leaders take a moment on a busy cluster: kafkajs retries (with backoff, about 25 s in all);
      // a dry run reads only and fails fast when Kafka is not up yet.
    },
    { retries: dryRun ? 1 : 7 },
  ).catch((e: unknown) => {
    if (e instanceof PyroError) throw e;
    throw new PyroError('KAFKA_TOPICS_FAILED', `syncing the declared topics with Kafka at ${bootstrapServers(inv).join(',')} failed: ${(e as Error).message}`, {
      hint: '`pyro status` shows the brokers and partitions; run `pyro up` again once they are healthy',
      cause: e,
    });
  });
  return { changes, warnings };
}
