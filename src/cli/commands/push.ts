import { ArtifactCache } from '../../artifacts/cache.js';
import { importBundle } from '../../artifacts/bundle.js';
import { pushItems } from '../../artifacts/items.js';
import { artifactNeeds } from '../../artifacts/needs.js';
import { planPush, pushHost, versionDir, type PushOutcome, type PushPlanItem } from '../../artifacts/push.js';
import { createHosts } from '../../hosts/connect.js';
import { runOnHosts } from '../../hosts/parallel.js';
import { formatDiagnostic } from '../../inventory/diagnostics.js';
import { loadInventory } from '../../services/catalog.js';
import { knownHostsFile } from '../../state/paths.js';
import { AggregateFailure, ExitCode, ExitError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

export interface PushCommandOptions {
  inventory: string;
  dryRun?: boolean;
  bundle?: string;
  json?: boolean;
  concurrency?: number;
}

const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;

/** `pyro push`: puts every host's distributions in place (versioned dir + `current` link), skipping what is there. */
export async function pushCommand(opts: PushCommandOptions, ctx: RunContext): Promise<void> {
  const { inventory, warnings } = await loadInventory(opts.inventory);
  for (const w of warnings) ctx.out.diagnostic(formatDiagnostic(w), 'warning');
  const cache = new ArtifactCache();
  if (opts.bundle) {
    const imported = await importBundle(cache, opts.bundle);
    if (!opts.json) ctx.out.info(`imported ${imported.length} distributions from ${opts.bundle}`);
  }
  const needs = artifactNeeds(inventory);
  const byComponent = await pushItems(inventory, cache, {
    signal: ctx.signal,
    offline: Boolean(opts.bundle),
    log: (l: string) => !opts.json && ctx.out.info(`  ${l}`),
  });

  const specs = needs.perHost.filter((h) => h.components.length).map((h) => h.spec);
  const hosts = createHosts(specs, { knownHostsFile: knownHostsFile(inventory.clusterName), trustNewHosts: false });
  if (!opts.json) ctx.out.heading(`${opts.dryRun ? 'planning' : 'pushing'} distributions to ${specs.length} host${specs.length === 1 ? '' : 's'}`);
  const started = Date.now();
  const results = await runOnHosts(
    specs.map((spec, i) => ({ name: spec.name, spec, host: hosts[i]! })),
    async ({ spec, host }): Promise<PushOutcome[]> => {
      await host.connect();
      const items = needs.perHost.find((h) => h.spec === spec)!.components.map((c) => byComponent.get(c)!);
      const show = (plan: PushPlanItem[]) => {
        if (opts.json) return;
        for (const p of plan) {
          const where = versionDir(spec, p.item.component, p.item.version);
          const what =
            p.action === 'skip'
              ? 'up to date'
              : p.action === 'link'
                ? `switch current (${p.remote})`
                : `${opts.dryRun ? 'would push' : 'push'} ${mib(p.item.size)} (${p.remote})`;
          ctx.out.host(spec.name, `${p.item.component} ${p.item.version}: ${what} -> ${where}`);
        }
      };
      if (opts.dryRun) {
        const plan = await planPush(host, spec, items, ctx.signal);
        show(plan);
        return plan.map((p) => ({ ...p, seconds: 0 }));
      }
      let last = 0;
      const outcomes = await pushHost(host, spec, items, {
        signal: ctx.signal,
        onPlan: show,
        onProgress: (item, sent) => {
          if (!ctx.out.isTTY || Date.now() - last < 2000) return;
          last = Date.now();
          ctx.out.host(spec.name, `${item.component}: ${mib(sent)} / ${mib(item.size)}`);
        },
      });
      const sent = outcomes.filter((x) => x.action === 'push');
      if (!opts.json && sent.length) {
        const total = sent.reduce((n, o) => n + o.item.size, 0);
        const secs = outcomes.reduce((n, o) => n + o.seconds, 0);
        ctx.out.host(
          spec.name,
          `${sent.length} distribution${sent.length === 1 ? '' : 's'}, ${mib(total)} in ${secs.toFixed(1)} s (${(total / 1048576 / Math.max(secs, 0.001)).toFixed(0)} MiB/s, host setup included)`,
        );
      }
      return outcomes;
    },
    { concurrency: opts.concurrency ?? 8, signal: ctx.signal },
  );
  await Promise.allSettled(hosts.map((h) => h.close()));
  const failed = results.filter((r) => !r.ok);
  const outcomes = results.flatMap((r) => (r.ok ? r.value.map((o) => ({ host: r.host.name, ...o })) : []));
  const pushedCount = outcomes.filter((o) => o.action === 'push').length;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (opts.json) {
    ctx.out.data({
      ok: failed.length === 0,
      dryRun: Boolean(opts.dryRun),
      seconds: Number(secs),
      hosts: results.map((r) => ({
        host: r.host.name,
        ok: r.ok,
        ...(r.ok
          ? { artifacts: r.value.map((o) => ({ component: o.item.component, version: o.item.version, action: o.action, seconds: o.seconds })) }
          : { error: r.error.message, hint: r.error.hint }),
      })),
    });
  } else if (!failed.length) {
    ctx.out.info(
      pushedCount || opts.dryRun
        ? `${opts.dryRun ? 'would push' : 'pushed'} ${pushedCount} distribution(s) in ${secs} s`
        : `nothing to push: every host is up to date (${secs} s)`,
    );
  }
  if (failed.length) {
    if (opts.json) throw new ExitError(ExitCode.failure);
    throw new AggregateFailure(
      `push failed on ${failed.length} host${failed.length === 1 ? '' : 's'}`,
      failed.flatMap((f) => (f.ok ? [] : [f.error])),
    );
  }
}
