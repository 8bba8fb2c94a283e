import { HttpStatusError } from '../../clients/https.js';
import type { ServiceStep } from '../definition.js';
import { deployNode, waitHealthy, type FlowChange } from './deploy.js';
import { NIFI, nifiInstances, nifiUiUrl } from './endpoints.js';
import { unreachable, withApi } from './probes.js';

/** How long `up` waits for freshly deployed flows to run with no ERROR bulletins. */
export const FLOWS_HEALTHY_SEC = 120;

/** `up` deploys each node's declared flows once NiFi is up: new ones, changed ones; others are left alone. */
export const flowsStep: ServiceStep = {
  name: 'flows',
  shouldRun: (ctx) => ctx.managedRoles.includes(NIFI) && nifiInstances(ctx.inv).length > 0,
  async run(ctx) {
    const nodes = nifiInstances(ctx.inv);
    const results = await Promise.allSettled(
      nodes.map((inst) =>
        withApi(inst, ctx, async (api) => {
          let changes: FlowChange[];
          try {
            changes = await deployNode(ctx.inv, api, { dryRun: ctx.dryRun, log: ctx.log, warn: ctx.warn, signal: ctx.signal });
          } catch (e) {
            // A refusal is NiFi's answer; anything else means it did not answer.
            throw e instanceof HttpStatusError || !(e as { code?: string }).code ? e : new Error(unreachable(inst, e));
          }
          for (const c of changes.filter((x) => x.action !== 'unchanged')) {
            const how = c.publisher ? ` (Kafka publisher: ${c.publisher === 'apache' ? "Apache's PublishKafka" : "pyro's"})` : '';
            ctx.change(`nifi: ${ctx.dryRun ? 'would ' : ''}${c.action === 'started' ? 'start' : c.action.replace(/d$/, '')} flow ${c.flow} on ${c.host}${how}`);
          }
          if (!ctx.dryRun) await waitHealthy(api, FLOWS_HEALTHY_SEC);
          return changes;
        }),
      ),
    );
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failed.length) throw new Error(failed.join('\n'));
    return results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  },
  notReachable: (e) => `flows not checked: NiFi is not reachable (${e}); they are deployed once it is up`,
  closing(ctx) {
    const nodes = nifiInstances(ctx.inv);
    return `NiFi: ${nodes.map(nifiUiUrl).join(', ')}\nlog in with the admin's client certificate: \`pyro credentials nifi -i ${ctx.inv.file}\` shows where it is`;
  },
};
