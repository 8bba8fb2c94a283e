import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fsyncFile, renameDurable, writeFileAtomic } from '../util/atomic-write.js';

/** Layout of the blobs: 2 = every entry under `<component>-<version>/`. Entries of another layout count as absent. */
export const BLOB_LAYOUT = 2;

/** The top dir every entry of a distribution's tar sits under. */
export function blobTopDir(component: string, version: string): string {
  return `${component}-${version}`;
}

/** What the cache knows about one component version. */
export interface CacheEntry {
  layout: number;
  component: string;
  version: string;
  /** Hex sha256 of the distribution tar: its name in the cache. */
  sha256: string;
  size: number;
  /** Where it came from: url, local, assemble, bundle. */
  source: string;
  /** The recipe's assemblyRevision, for assembled entries. */
  assemblyRevision?: number;
  createdAt: string;
}

/** Cache root: $PYRO_CACHE_DIR, else $XDG_CACHE_HOME/pyro, else ~/.cache/pyro. */
export function cacheRoot(): string {
  if (process.env.PYRO_CACHE_DIR) return path.resolve(process.env.PYRO_CACHE_DIR);
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pyro');
}

/** Streams a file through sha256. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

/**
 * Content-addressed store of distribution tars, shared by every cluster. Blobs are named by their sha256 and
 * re-hashed on every use; files only ever appear under their final name by rename, so an interrupted fetch
 * leaves at most a temp file behind (swept by the next `tmpPath` user), never a half blob.
 */
export class ArtifactCache {
  constructor(readonly root: string = cacheRoot()) {}

  blobPath(sha256: string): string {
    return path.join(this.root, 'blobs', 'sha256', `${sha256}.tar`);
  }

  private indexPath(component: string, version: string): string {
    return path.join(this.root, 'index', component, `${version}.json`);
  }

  /** A fresh temp path inside the cache (same filesystem, so rename is atomic). */
  async tmpPath(label: string): Promise<string> {
    const dir = path.join(this.root, 'tmp');
    await mkdir(dir, { recursive: true });
    return path.join(dir, `${label}.${process.pid}.${randomBytes(4).toString('hex')}`);
  }

  /** The entry for a component version, verified; undefined when absent or corrupt (a corrupt blob is removed). */
  async get(component: string, version: string): Promise<CacheEntry | undefined> {
    let entry: CacheEntry;
    try {
      entry = JSON.parse(await readFile(this.indexPath(component, version), 'utf8')) as CacheEntry;
    } catch {
      return undefined;
    }
    const blob = this.blobPath(entry.sha256);
    try {
      if (entry.layout !== BLOB_LAYOUT) throw new Error('older layout');
      const st = await stat(blob);
      if (st.size === entry.size && (await sha256File(blob)) === entry.sha256) return entry;
    } catch {
      /* missing blob: same as corrupt */
    }
    await this.drop(entry);
    return undefined;
  }

  /** Whether an entry exists without hashing it (for listings). */
  async peek(component: string, version: string): Promise<CacheEntry | undefined> {
    try {
      const entry = JSON.parse(await readFile(this.indexPath(component, version), 'utf8')) as CacheEntry;
      return entry.layout === BLOB_LAYOUT ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  /** Moves a finished tar (a tmpPath) into the store and records it; returns the entry. */
  async put(tmpFile: string, meta: { component: string; version: string; source: string; assemblyRevision?: number }, knownSha?: string): Promise<CacheEntry> {
    const sha256 = knownSha ?? (await sha256File(tmpFile));
    const { size } = await stat(tmpFile);
    const blob = this.blobPath(sha256);
    await mkdir(path.dirname(blob), { recursive: true });
    // Synced although get() re-hashes: peek() does not, and a torn blob would fail far from its cause.
    await fsyncFile(tmpFile);
    await renameDurable(tmpFile, blob);
    const entry: CacheEntry = { layout: BLOB_LAYOUT, ...meta, sha256, size, createdAt: new Date().toISOString() };
    const idx = this.indexPath(meta.component, meta.version);
    await mkdir(path.dirname(idx), { recursive: true });
    await writeFileAtomic(idx, `${JSON.stringify(entry, null, 2)}\n`);
    return entry;
  }

  /** Every current entry, unverified (for listings). */
  async list(): Promise<CacheEntry[]> {
    const out: CacheEntry[] = [];
    const index = path.join(this.root, 'index');
    for (const component of await readdir(index).catch(() => [] as string[])) {
      for (const f of await readdir(path.join(index, component)).catch(() => [] as string[])) {
        if (!f.endsWith('.json')) continue;
        const e = await this.peek(component, f.slice(0, -'.json'.length));
        if (e) out.push(e);
      }
    }
    return out.sort((a, b) => a.component.localeCompare(b.component) || a.version.localeCompare(b.version));
  }

  /**
   * Removes blobs no current entry names (older layouts, replaced builds) and temp files of interrupted runs
   * older than an hour; returns what went (or would go, with dryRun).
   */
  async prune(opts: { dryRun?: boolean } = {}): Promise<{ files: string[]; bytes: number }> {
    const keep = new Set((await this.list()).map((e) => `${e.sha256}.tar`));
    const doomed: string[] = [];
    const blobs = path.join(this.root, 'blobs', 'sha256');
    for (const f of await readdir(blobs).catch(() => [] as string[])) if (!keep.has(f)) doomed.push(path.join(blobs, f));
    const tmp = path.join(this.root, 'tmp');
    for (const f of await readdir(tmp).catch(() => [] as string[])) {
      const p = path.join(tmp, f);
      if (Date.now() - (await stat(p)).mtimeMs > 3_600_000) doomed.push(p);
    }
    let bytes = 0;
    for (const p of doomed) {
      bytes += (await stat(p)).size;
      if (!opts.dryRun) await rm(p, { recursive: true, force: true });
    }
    return { files: doomed, bytes };
  }

  private async drop(entry: CacheEntry): Promise<void> {
    await rm(this.indexPath(entry.component, entry.version), { force: true });
    await rm(this.blobPath(entry.sha256), { force: true });
  }
}
