import { runUp } from '../../phases/up.js';
import { ExitCode, ExitError } from '../../util/errors.js';
import type { RunContext } from '../context.js';

export interface UpCommandOptions {
  inventory: string;
  dryRun?: boolean;
  json?: boolean;
  timeout?: number;
  trustNewHosts?: boolean;
  status?: boolean;
  prepare?: boolean;
  /** `pyro restart`: these roles restarted even when nothing changed (see UpOptions.restart). */
  restart?: { roles: string[]; rolling: boolean };
  decommission?: boolean;
  drainTimeout?: number;
  /** false: `--no-finalize` (Kafka's feature levels held after an upgrade). */
  finalize?: boolean;
}

/** `pyro up`: plan and apply (or, with --dry-run, only print) the cluster's wanted state. */
export async function upCommand(o: UpCommandOptions, ctx: RunContext): Promise<void> {
  let hint: string | undefined;
  try {
    const r = await runUp(
      {
        inventory: o.inventory,
        dryRun: o.dryRun,
        timeoutSec: o.timeout,
        trustNewHosts: o.trustNewHosts,
        prepare: o.prepare,
        restart: o.restart,
        decommission: o.decommission,
        drainTimeoutSec: o.drainTimeout,
        finalize: o.finalize,
      },
      ctx.out,
      ctx.signal,
    );
    if (o.json) ctx.out.data(r);
    hint = r.openHint;
  } catch (e) {
    if (o.json) {
      const err = e as Error & { hint?: string; code?: string };
      ctx.out.data({ ok: false, error: err.message, code: err.code, hint: err.hint });
    }
    throw e;
  }
  try {
    if (o.status && !o.dryRun && !o.json) {
      const { statusCommand } = await import('./status.js');
      ctx.out.info('');
      await statusCommand({ inventory: o.inventory }, ctx).catch((e: unknown) => {
        if (e instanceof ExitError) throw new ExitError(ExitCode.failure);
        throw e;
      });
    }
  } finally {
    // Last, so the way in is the last thing on the screen.
    if (hint && !o.json) ctx.out.info(`\n${hint}`);
  }
}
