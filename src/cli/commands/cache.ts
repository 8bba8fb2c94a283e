import { ArtifactCache } from '../../artifacts/cache.js';
import { importBundle } from '../../artifacts/bundle.js';
import type { RunContext } from '../context.js';

/** `pyro cache import`: verified copy of a bundle's distributions into the local cache. */
export async function cacheImportCommand(opts: { file: string; json?: boolean }, ctx: RunContext): Promise<void> {
  const entries = await importBundle(new ArtifactCache(), opts.file);
  if (opts.json) ctx.out.data({ imported: entries });
  else for (const e of entries) ctx.out.info(`imported ${e.component} ${e.version} (${(e.size / 1048576).toFixed(0)} MiB, ${e.sha256.slice(0, 12)})`);
}

/** `pyro cache list`: what the cache holds (unverified; every use verifies). */
export async function cacheListCommand(opts: { json?: boolean }, ctx: RunContext): Promise<void> {
  const cache = new ArtifactCache();
  const entries = await cache.list();
  if (opts.json) {
    ctx.out.data({ cache: cache.root, artifacts: entries });
    return;
  }
  ctx.out.info(`${cache.root}: ${entries.length} distribution${entries.length === 1 ? '' : 's'}`);
  for (const e of entries)
    ctx.out.info(
      `  ${e.component.padEnd(16)} ${e.version.padEnd(10)} ${(e.size / 1048576).toFixed(0).padStart(5)} MiB  ${e.source.padEnd(9)} ${e.sha256.slice(0, 12)}`,
    );
}

/** `pyro cache prune`: removes blobs nothing refers to and stale temp files. */
export async function cachePruneCommand(opts: { dryRun?: boolean; json?: boolean }, ctx: RunContext): Promise<void> {
  const r = await new ArtifactCache().prune({ dryRun: opts.dryRun });
  if (opts.json) ctx.out.data({ dryRun: Boolean(opts.dryRun), ...r });
  else ctx.out.info(`${opts.dryRun ? 'would remove' : 'removed'} ${r.files.length} file(s), ${(r.bytes / 1048576).toFixed(0)} MiB`);
}
