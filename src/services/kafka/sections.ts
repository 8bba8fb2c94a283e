import { Type, type Static } from '@sinclair/typebox';
import { closed, kv } from '../../inventory/schema-parts.js';
import type { Inventory } from '../../inventory/types.js';

const Topic = Type.Object(
  {
    name: Type.String({ pattern: '^[a-zA-Z0-9._-]{1,249}$', description: 'Kafka topic name', 'x-hint': 'letters, digits, dots, underscores and dashes only' }),
    partitions: Type.Optional(Type.Integer({ minimum: 1, description: 'default 1' })),
    replicationFactor: Type.Optional(Type.Integer({ minimum: 1, description: 'default min(3, brokers)' })),
    config: Type.Optional(kv('topic configs, e.g. retention.ms')),
  },
  closed,
);

/** Top-level sections Kafka owns. */
export const KAFKA_SECTIONS = { topics: Type.Array(Topic, { description: 'Kafka topics pyro creates and keeps as declared' }) };

export type TopicEntry = Static<typeof Topic>;

/** The `topics:` section as written (validated). */
export function topicsOf(inv: Inventory): TopicEntry[] {
  return (inv.sections.topics as TopicEntry[] | undefined) ?? [];
}
