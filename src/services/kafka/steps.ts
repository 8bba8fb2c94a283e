import type { ServiceStep } from '../definition.js';
import { BROKER } from './endpoints.js';
import { topicsOf } from './sections.js';
import { syncTopics } from './topics.js';

/** `up` creates the declared topics, adds partitions and sets their configs once the brokers are healthy. */
export const topicsStep: ServiceStep = {
  name: 'topics',
  shouldRun: (ctx) => topicsOf(ctx.inv).length > 0 && ctx.managedRoles.includes(BROKER),
  async run(ctx) {
    const t = await syncTopics(ctx.inv, ctx.dryRun);
    for (const c of t.changes) {
      ctx.change(`kafka: ${c.action} topic ${c.topic} (${c.detail})`);
      ctx.log(`[kafka] ${ctx.dryRun ? 'would ' : ''}${c.action} topic ${c.topic}: ${c.detail}`);
    }
    for (const w of t.warnings) ctx.warn(w);
    return t.changes;
  },
  notReachable: (e) => `topics not checked: Kafka is not reachable (${e}); they are created once it is up`,
};
