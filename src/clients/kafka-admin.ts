import { Kafka, logLevel, type Admin } from 'kafkajs';

/** A kafkajs client that fails fast and stays quiet: errors surface as exceptions, not log lines. */
export function kafkaClient(brokers: string[], clientId = 'pyro', retries = 1): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries, initialRetryTime: 200 },
  });
}

/**
 * Runs `fn` with a connected admin client, always disconnecting. Probes fail fast (one retry); changes such as
 * creating topics pass `retries` so a cluster still electing leaders is waited for, not reported as broken.
 */
export async function withAdmin<T>(brokers: string[], fn: (admin: Admin) => Promise<T>, opts: { retries?: number } = {}): Promise<T> {
  const admin = kafkaClient(brokers, 'pyro', opts.retries).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface KafkaHealth {
  clusterId: string;
  /** Registered (unfenced) broker ids. */
  brokers: number[];
  topics: number;
  /** Every topic's name, internal ones (`__…`) included. */
  topicNames: string[];
  partitions: number;
  /** Partitions whose ISR is smaller than their replica set. */
  underReplicated: number;
  /** Partitions without a leader. */
  offline: number;
}

/** Registered brokers and partition health across every topic (internal ones included). */
export async function kafkaHealth(admin: Admin): Promise<KafkaHealth> {
  const cluster = await admin.describeCluster();
  const names = await admin.listTopics();
  const meta = names.length ? await admin.fetchTopicMetadata({ topics: names }) : { topics: [] };
  let partitions = 0;
  let underReplicated = 0;
  let offline = 0;
  for (const t of meta.topics) {
    for (const p of t.partitions) {
      partitions++;
      if (p.isr.length < p.replicas.length) underReplicated++;
      if (p.leader < 0) offline++;
    }
  }
  return {
    clusterId: cluster.clusterId,
    brokers: cluster.brokers.map((b) => b.nodeId).sort((a, b) => a - b),
    topics: names.length,
    topicNames: names,
    partitions,
    underReplicated,
    offline,
  };
}

export type { Admin };
