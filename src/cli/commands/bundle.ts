import { ArtifactCache } from '../../artifacts/cache.js';
import { writeBundle } from '../../artifacts/bundle.js';
import { ensureArtifact } from '../../artifacts/fetch.js';
import { artifactNeeds, fetchOptionsFor } from '../../artifacts/needs.js';
import { loadInventory } from '../../services/catalog.js';
import type { RunContext } from '../context.js';

/** `pyro bundle`: one archive with every distribution the inventory needs, for an air-gapped network. */
export async function bundleCommand(opts: { inventory: string; output: string; all?: boolean }, ctx: RunContext): Promise<void> {
  const { inventory } = await loadInventory(opts.inventory);
  const cache = new ArtifactCache();
  const fopts = { ...fetchOptionsFor(inventory, cache), signal: ctx.signal, log: (l: string) => ctx.out.info(`  ${l}`) };
  const entries = [];
  for (const recipe of artifactNeeds(inventory, { all: opts.all }).recipes) entries.push((await ensureArtifact(recipe, fopts)).entry);
  const m = await writeBundle(cache, entries, opts.output);
  const total = entries.reduce((s, e) => s + e.size, 0);
  ctx.out.info(`wrote ${opts.output}: ${m.artifacts.length} distributions, ${(total / 1048576).toFixed(0)} MiB`);
  ctx.out.info(`on the other side: pyro cache import ${opts.output}   (or pyro push --bundle ${opts.output})`);
}
