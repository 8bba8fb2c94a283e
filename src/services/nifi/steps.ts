import type { ServiceStep } from '../definition.js';
import { deployNode, waitHealthy } from './deploy.js';
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
          // Not answering is told apart from what goes wrong once it does (a refusal, a template).
          await api.about(10_000).catch((e: unknown) => {
            throw new Error(unreachable(inst, e));
          });
          const changes = await deployNode(ctx.inv, api, { dryRun: ctx.dryRun, log: ctx.log, warn: ctx.warn });
          for (const c of changes.filter((x) => x.action !== 'unchanged')) {
            const how = c.publisher ? ` (Kafka publisher: ${c.publisher === 'apache' ? "Apache's PublishKafka" : "pyro's"})` : '';
            const verb = { deployed: 'deploy', replaced: 'replace', started: 'start', unchanged: 'keep' }[c.action];
            ctx.change(`nifi: ${ctx.dryRun ? `would ${verb}` : c.action} flow ${c.flow} on ${c.host}${how}`);
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
