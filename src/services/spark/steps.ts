import type { ServiceStep, StepContext } from '../definition.js';
import { canRunContainers } from '../yarn/endpoints.js';
import { jobFromInventory } from './jobs/spec.js';
import { submitJob } from './jobs/submit.js';
import { liveApp } from './jobs/yarn-apps.js';
import { streamingJobsOf } from './sections.js';

/** Submits every declared, enabled job YARN does not run; one line per job submitted (or, dry, to submit). */
async function submitDeclared(ctx: StepContext): Promise<string[]> {
  const done: string[] = [];
  const submit = { inv: ctx.inv, stateDir: ctx.stateDir, secrets: ctx.secrets, log: (l: string) => ctx.log(`   ${l}`), signal: ctx.signal };
  for (const j of streamingJobsOf(ctx.inv).filter((x) => x.enabled !== false)) {
    if (await liveApp(ctx.inv, j.name)) continue;
    if (ctx.dryRun) {
      ctx.change(`submit job ${j.name}`);
      ctx.log(`[yarn] would submit job ${j.name}`);
      done.push(j.name);
      continue;
    }
    const r = await submitJob(submit, jobFromInventory(ctx.inv, j.name));
    ctx.change(`submit job ${j.name} (${r.appId})`);
    ctx.log(`[yarn] job ${j.name} running as ${r.appId}`);
    done.push(j.name);
  }
  return done;
}

/** `up` submits the declared jobs once YARN and its NodeManagers are healthy. */
export const jobsStep: ServiceStep = {
  name: 'jobs',
  shouldRun: (ctx) => streamingJobsOf(ctx.inv).length > 0 && canRunContainers(ctx.managedRoles),
  run: submitDeclared,
  notReachable: (e) => `jobs not checked: YARN is not reachable (${e}); declared jobs are submitted once it is up`,
};
