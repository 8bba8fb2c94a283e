import path from 'node:path';
import { shellQuote as q } from '../../hosts/host.js';
import type { Inventory } from '../../inventory/types.js';
import { tailedGlobs, type TailedGlob } from './components.js';
import { FLUME } from './endpoints.js';
import { taildirPattern } from './taildir-glob.js';

/** Whether a taildir glob (as declared) covers a file path. */
export function globCovers(glob: string, file: string): boolean {
  const { dir, regex } = taildirPattern(glob);
  return path.posix.dirname(file) === dir && new RegExp(`^(?:${regex})$`).test(path.posix.basename(file));
}

/** The agents' taildir globs that read `file` (each with its host and source). */
export function tailersOf(inv: Inventory, file: string): TailedGlob[] {
  return tailedGlobs(inv.instances.filter((i) => i.def.role === FLUME)).filter((t) => globCovers(t.glob, file));
}

/** Plain file paths (no wildcard) the agents tail: the files a demo writer can append to. */
export function plainTailedFiles(inv: Inventory): TailedGlob[] {
  return tailedGlobs(inv.instances.filter((i) => i.def.role === FLUME)).filter((t) => !/[*?[{]/.test(path.posix.basename(t.glob)));
}

/**
 * Host-side appender: one write per line (awk flushes after each), so a tailing reader never sees half a line and
 * another writer's lines never interleave inside one (O_APPEND writes of a whole line are atomic).
 */
export function appendCommand(file: string): string {
  return `mkdir -p ${q(path.posix.dirname(file))} && exec awk '{ print; fflush() }' >> ${q(file)}`;
}
