import { shellQuote as q } from '../../hosts/host.js';
import type { RuntimeContext } from '../runtime.js';
import { tailedDirs } from './components.js';
import { flumeSettingsOf } from './settings.js';

/**
 * Before an agent starts: every directory its taildir sources read exists (created when the source says
 * `createDir: true`). Flume itself would start without one and retry the source forever, which only the gate's
 * timeout would reveal.
 */
export function flumePreStart(ctx: RuntimeContext): { sh: string; hint: string } | undefined {
  const role = ctx.inst.def.role;
  const host = ctx.inst.host.name;
  const lines = flumeSettingsOf(ctx.inst).sources.flatMap((s) =>
    tailedDirs(s).map((dir) =>
      s.createDir
        ? `mkdir -p ${q(dir)} 2>/dev/null || { echo ${q(`@fail ${role} taildir source ${s.name}: cannot create ${dir} on ${host}`)}; exit 0; }`
        : `[ -d ${q(dir)} ] || { echo ${q(`@fail ${role} taildir source ${s.name} reads ${dir}, which does not exist on ${host}`)}; exit 0; }`,
    ),
  );
  if (!lines.length) return undefined;
  return {
    sh: lines.join('\n'),
    hint: 'create the directory on that host (the application writing the log usually does), fix the path in the inventory, or set `createDir: true` on the source to have pyro create it',
  };
}
