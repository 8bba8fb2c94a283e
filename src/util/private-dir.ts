import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Creates `dir` (and missing parents) 0700 and tightens `dir` and each existing ancestor up to `top` to 0700:
 * mkdir's mode only applies to what it creates, and whoever came first (an older pyro, a hand-made dir) may have
 * left them open to other users. `top` defaults to `dir`; an ancestor outside `top` is never touched.
 */
export async function ensurePrivateDir(dir: string, top = dir): Promise<void> {
  const target = path.resolve(dir);
  const rel = path.relative(path.resolve(top), target);
  const stop = rel.startsWith('..') || path.isAbsolute(rel) ? target : path.resolve(top);
  await mkdir(target, { recursive: true, mode: 0o700 });
  for (let d = target; ; d = path.dirname(d)) {
    await chmod(d, 0o700);
    if (d === stop) break;
  }
}
