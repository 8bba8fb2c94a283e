import type { Diagnostic } from '../../inventory/diagnostics.js';
import type { Rule } from '../../inventory/types.js';
import { brokerCount } from './endpoints.js';
import { topicsOf } from './sections.js';

const REPLICATION_KEYS = [
  'default.replication.factor', 'offsets.topic.replication.factor', 'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr', 'share.coordinator.state.topic.replication.factor', 'min.insync.replicas',
];

/** Replication (internal topics, declared topics) can't exceed the brokers. */
export const replicationRule: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const limit = brokerCount(inv);
  const check = (where: (string | number)[], value: unknown) => {
    const n = Number(value);
    if (value !== undefined && Number.isFinite(n) && n > limit && limit > 0) {
      out.push(src.diagnostic(where, `replication ${n} is more than the ${limit} broker${limit === 1 ? '' : 's'} in the inventory`, {
        hint: `use at most ${limit}, or add brokers`,
      }));
    }
  };
  const props = inv.config.kafka?.['server.properties'] ?? {};
  for (const key of REPLICATION_KEYS) check(['services', 'kafka', 'config', 'server.properties', key], props[key]);
  topicsOf(inv).forEach((t, i) => check(['topics', i, 'replicationFactor'], t.replicationFactor));
  return out;
};

/** A topic is declared once. */
export const uniqueTopics: Rule = (inv, src) => {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  topicsOf(inv).forEach((t, i) => {
    if (seen.has(t.name)) out.push(src.diagnostic(['topics', i, 'name'], `topic ${t.name} is declared twice`, { hint: 'remove or rename one of them' }));
    seen.add(t.name);
  });
  return out;
};
