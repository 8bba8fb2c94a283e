import { evaluateHost, type CheckResult } from '../../check/evaluate.js';
import { createHosts, knownHostsFor } from '../../hosts/connect.js';
import { gatherFacts } from '../../hosts/facts.js';
import { acceptedKeyLine } from '../../hosts/known-hosts.js';
import { runOnHosts } from '../../hosts/parallel.js';
import { readHostState, watchProcess } from '../../phases/host-state.js';
import { formatDiagnostic } from '../../inventory/diagnostics.js';
import { loadInventory, serviceOf } from '../../services/catalog.js';
import { hostNeeds, probesFor } from '../../prepare/needs.js';
import { appendHistory } from '../../state/history.js';
import { clusterStateDir, ensureStateDir, knownHostsFile } from '../../state/paths.js';
import { renderTable } from '../../ui/table.js';
import { ExitCode, ExitError, type PyroError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

export interface CheckOptions {
  inventory: string;
  json?: boolean;
  trustNewHosts?: boolean;
  concurrency?: number;
}

/** `pyro check`: preflight of every host in parallel. Exit 1 when any check fails. */
export async function checkCommand(opts: CheckOptions, ctx: RunContext): Promise<void> {
  const { inventory, warnings } = await loadInventory(opts.inventory);
  for (const w of warnings) ctx.out.diagnostic(formatDiagnostic(w), 'warning');
  const khFile = knownHostsFile(inventory.clusterName);
  if (!opts.json) ctx.out.heading(`checking ${inventory.hosts.length} host${inventory.hosts.length === 1 ? '' : 's'} of ${inventory.clusterName}`);

  const started = Date.now();
  // New keys go to known_hosts in the state dir: private before anything is written there.
  if (opts.trustNewHosts) await ensureStateDir(clusterStateDir(inventory.clusterName));
  const hostCtx = { knownHostsFile: khFile, trustNewHosts: Boolean(opts.trustNewHosts) };
  const knownHosts = knownHostsFor(hostCtx);
  const hosts = createHosts(inventory.hosts, { ...hostCtx, knownHosts });
  const targets = inventory.hosts.map((spec, i) => ({ name: spec.name, spec, host: hosts[i]! }));
  const results = await runOnHosts(
    targets,
    async ({ spec, host }) => {
      await host.connect();
      // The probes test for the services' host packages (PostgreSQL's server) in the same round trip.
      const facts = await gatherFacts(host, spec, ctx.signal, probesFor(hostNeeds(inventory, spec)));
      // Ports held by pyro's own running services (known by their pid files) are not clashes.
      const watched = inventory.instances.filter((i) => i.host === spec && serviceOf(i).runtime).map((i) => watchProcess(i, inventory.clusterName));
      const procs = watched.length ? await readHostState(host, spec, watched, [], { signal: ctx.signal, withFiles: false }) : undefined;
      const running = new Set(
        Object.entries(procs?.services ?? {})
          .filter(([, v]) => v.state === 'running')
          .map(([k]) => k),
      );
      const how =
        spec.connection === 'local'
          ? 'local'
          : `ssh ${spec.ssh.user ?? ''}${spec.ssh.user ? '@' : ''}${spec.address}${spec.ssh.port ? `:${spec.ssh.port}` : ''}`;
      const rows: CheckResult[] = [{ host: spec.name, check: 'connect', status: 'ok', detail: `${how}, ${facts.rttMs} ms round trip` }];
      return [...rows, ...evaluateHost(inventory, spec, facts, running)];
    },
    { concurrency: opts.concurrency ?? 16, signal: ctx.signal },
  );
  await Promise.allSettled(hosts.map((h) => h.close()));

  const rows: CheckResult[] = [];
  for (const r of results) {
    if (r.ok) rows.push(...r.value);
    else rows.push({ host: r.host.name, check: 'connect', status: 'fail', detail: describe(r.error), hint: r.error.hint });
  }
  const failed = rows.filter((r) => r.status === 'fail');
  const warned = rows.filter((r) => r.status === 'warn');
  // Each key trusted is in known_hosts from now on: the user sees its fingerprint, the history keeps it.
  const accepted = knownHosts.accepted;
  if (accepted.length) {
    const seconds = (Date.now() - started) / 1000;
    const result = failed.length ? ('failed' as const) : ('ok' as const);
    const entry = { command: 'check --trust-new-hosts', result, seconds, changes: accepted.map(acceptedKeyLine) };
    await appendHistory(clusterStateDir(inventory.clusterName), entry).catch((e: Error) =>
      ctx.out.warn(`could not record the accepted host keys in the history: ${e.message}`),
    );
  }

  if (opts.json) {
    ctx.out.data({
      ok: failed.length === 0,
      cluster: inventory.clusterName,
      knownHosts: khFile,
      acceptedKeys: accepted,
      hosts: inventory.hosts.map((h) => ({ host: h.name, address: h.address, checks: rows.filter((r) => r.host === h.name) })),
    });
  } else {
    const c = ctx.out.color;
    const paint = (s: CheckResult['status']) => (s === 'ok' ? c.green(s) : s === 'warn' ? c.yellow(s) : c.red(s));
    const withHints = failed.length + warned.length > 0;
    for (const k of accepted) ctx.out.info(c.yellow(acceptedKeyLine(k)));
    ctx.out.info(
      renderTable(
        ['host', 'check', 'status', 'detail', ...(withHints ? ['hint'] : [])],
        rows.map((r) => [r.host, r.check, paint(r.status), r.detail, ...(withHints ? [r.hint ?? ''] : [])]),
        ctx.out.isTTY,
      ),
    );
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    ctx.out.info(
      failed.length
        ? c.red(`${failed.length} check${failed.length === 1 ? '' : 's'} failed on ${new Set(failed.map((f) => f.host)).size} host(s) (${secs} s)`)
        : `all checks passed on ${inventory.hosts.length} host${inventory.hosts.length === 1 ? '' : 's'}${warned.length ? ` (${warned.length} warning${warned.length === 1 ? '' : 's'})` : ''} (${secs} s)`,
    );
  }
  if (failed.length) throw new ExitError(ExitCode.failure);
}

function describe(err: PyroError): string {
  return err.code && err.code !== 'INTERNAL' ? `${err.message} [${err.code}]` : err.message;
}
