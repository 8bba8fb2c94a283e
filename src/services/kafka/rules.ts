import type { Diagnostic } from '../../inventory/diagnostics.js';
import { layerPaths, replicationCheck } from '../../inventory/rule-helpers.js';
import type { Rule } from '../../inventory/types.js';
import { brokerCount } from './endpoints.js';
import { topicsOf } from './sections.js';

const REPLICATION_KEYS = [
  'default.replication.factor',
  'offsets.topic.replication.factor',
  'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr',
  'share.coordinator.state.topic.replication.factor',
  'min.insync.replicas',
];

/** Replication (internal topics, declared topics) can't exceed the brokers. */
export const replicationRule: Rule = (inv, src) => {
  const out: Diagnostic[] = [];
  const check = replicationCheck(src, out, brokerCount(inv), 'broker');
  // Controllers take only their own block, and have no partitions to replicate.
  for (const key of REPLICATION_KEYS) for (const p of layerPaths(inv, 'kafka', ['config', 'server.properties', key], ['broker'])) check(p, src.doc.getIn(p));
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
