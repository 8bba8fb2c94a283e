import { ArtifactCache } from '../../artifacts/cache.js';
import { ensureArtifact } from '../../artifacts/fetch.js';
import { artifactNeeds, fetchOptionsFor } from '../../artifacts/needs.js';
import { formatDiagnostic } from '../../inventory/diagnostics.js';
import { loadInventory } from '../../services/catalog.js';
import { prepareControl } from '../../prepare/control.js';
import type { PrepareResult } from '../../prepare/result.js';
import { renderTable } from '../../ui/table.js';
import { ExitCode, ExitError, PyroError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

export interface FetchCommandOptions {
  inventory: string;
  all?: boolean;
  json?: boolean;
  /** First install what assembling needs on this machine (a JDK, Maven, pip) from the OS packages. */
  prepare?: boolean;
}

export interface FetchRow {
  component: string;
  version: string;
  status: 'cached' | 'fetched' | 'unavailable';
  source?: string;
  sizeMb?: number;
  seconds?: number;
  sha256?: string;
  error?: string;
  hint?: string;
  /** Whether the inventory needs it (only false with --all). */
  needed: boolean;
}

/** `pyro fetch`: gets every distribution the inventory needs (or all, with --all) into the local cache. */
export async function fetchCommand(opts: FetchCommandOptions, ctx: RunContext): Promise<FetchRow[]> {
  const { inventory, warnings } = await loadInventory(opts.inventory);
  for (const w of warnings) ctx.out.diagnostic(formatDiagnostic(w), 'warning');
  const cache = new ArtifactCache();
  const needed = new Set(artifactNeeds(inventory).recipes.map((r) => r.component));
  const { recipes } = artifactNeeds(inventory, { all: opts.all });
  const fopts = { ...fetchOptionsFor(inventory, cache), signal: ctx.signal, log: (l: string) => ctx.out.info(`  ${l}`) };
  let control: PrepareResult | undefined;
  if (opts.prepare) {
    if (!opts.json) ctx.out.heading('preparing this machine (JDK, Maven, pip for assembling distributions)');
    control = await prepareControl({ signal: ctx.signal, log: (l) => ctx.out.host('control', l) });
    // Still missing: say so and go on; a distribution that needs the tool then fails with the same hint.
    for (const u of control.unresolved) ctx.out.warn(`${u.title} is still missing here: ${u.hint}`);
  }
  if (!opts.json) ctx.out.heading(`fetching ${recipes.length} distributions into ${cache.root}`);
  const rows: FetchRow[] = [];
  for (const recipe of recipes) {
    const row: FetchRow = { component: recipe.component, version: recipe.version, status: 'unavailable', needed: needed.has(recipe.component) };
    try {
      const r = await ensureArtifact(recipe, fopts);
      Object.assign(row, {
        status: r.fetched ? 'fetched' : 'cached',
        source: r.entry.source,
        sizeMb: Math.round(r.entry.size / 1048576),
        seconds: Math.round(r.seconds),
        sha256: r.entry.sha256,
      });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      row.error = (err as Error).message;
      row.hint = err instanceof PyroError ? err.hint : undefined;
    }
    rows.push(row);
  }
  const failedNeeded = rows.filter((r) => r.status === 'unavailable' && r.needed);
  if (opts.json) ctx.out.data({ ok: failedNeeded.length === 0, cache: cache.root, artifacts: rows, ...(control ? { control } : {}) });
  else {
    ctx.out.info(
      renderTable(
        ['component', 'version', 'status', 'source', 'size', 'time'],
        rows.map((r) => [
          r.component,
          r.version,
          r.status,
          r.source ?? '',
          r.sizeMb === undefined ? '' : `${r.sizeMb} MiB`,
          r.seconds === undefined ? '' : `${r.seconds} s`,
        ]),
        ctx.out.isTTY,
      ),
    );
    for (const r of rows.filter((x) => x.status === 'unavailable')) {
      const say = r.needed ? ctx.out.error.bind(ctx.out) : ctx.out.warn.bind(ctx.out);
      say(`${r.error}${r.needed ? '' : '\n  (not used by this inventory)'}`);
      if (r.hint) ctx.out.info(`  hint: ${r.hint}`);
    }
  }
  if (failedNeeded.length) throw new ExitError(ExitCode.failure);
  return rows;
}
