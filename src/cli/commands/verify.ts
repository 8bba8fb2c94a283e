import { openSession } from '../../phases/open.js';
import { checkWholeFlow, wholeFlowLines } from '../../phases/whole-flow.js';
import { ExitCode, ExitError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

export interface VerifyOptions {
  inventory: string;
  timeout?: number;
  json?: boolean;
}

/** `pyro verify`: the whole-flow check on its own; exit 1 when a record misses a hop. */
export async function verifyCommand(o: VerifyOptions, ctx: RunContext): Promise<void> {
  const s = await openSession({ inventory: o.inventory, command: 'pyro verify', out: ctx.out, signal: ctx.signal, quiet: Boolean(o.json) });
  try {
    if (!o.json) ctx.out.info(ctx.out.color.bold('== whole-flow check: a tagged record down each ingestion path'));
    const w = await checkWholeFlow(s, { timeoutSec: o.timeout });
    if (o.json) ctx.out.data(w);
    else {
      for (const l of wholeFlowLines(w)) ctx.out.info(l.startsWith('FAIL') ? ctx.out.color.red(l) : l);
      if (w.paths.length)
        ctx.out.info(
          w.ok
            ? `every path passed every hop (${w.seconds.toFixed(1)} s)`
            : `${w.paths.filter((p) => !p.ok).length} of ${w.paths.length} paths failed: see the first hop each missed`,
        );
    }
    if (!w.ok) throw new ExitError(ExitCode.failure);
  } finally {
    await s.close();
  }
}
