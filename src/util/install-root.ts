import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * pyro's install dir: the nearest ancestor of this module that holds package.json.
 * Found by walking up rather than by a fixed number of `..`, so moving a module (or running from
 * src/ instead of dist/src/) cannot silently point at the wrong directory.
 */
export const INSTALL_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}: pyro's install is incomplete`);
  }
}
