import { setTimeout as delay } from 'node:timers/promises';
import { PyroError } from './errors.js';

export interface PollStep {
  done: boolean;
  /** Where it stands, in a few words: logged when it changes, and named when the wait times out. */
  detail: string;
}

/**
 * Calls `check` every `everyMs` until it reports done, logging each new detail; fails after `timeoutSec` with the
 * last one. Errors from `check` count as "not yet" (a master briefly unreachable), and are the detail.
 */
export async function pollUntil(
  what: string,
  check: () => Promise<PollStep>,
  o: { timeoutSec: number; signal?: AbortSignal; log?: (line: string) => void; everyMs?: number; hint?: string },
): Promise<string> {
  const deadline = Date.now() + o.timeoutSec * 1000;
  let last = '';
  for (;;) {
    o.signal?.throwIfAborted();
    let step: PollStep;
    try {
      step = await check();
    } catch (e) {
      step = { done: false, detail: (e as Error).message };
    }
    if (step.detail !== last) o.log?.(step.detail);
    last = step.detail;
    if (step.done) return step.detail;
    if (Date.now() > deadline)
      throw new PyroError('WAIT_TIMED_OUT', `${what}: not done after ${o.timeoutSec} s (${step.detail})`, {
        hint: o.hint ?? 'run the same command again to keep waiting: it picks up where this one stopped',
      });
    await delay(o.everyMs ?? 2000, undefined, { signal: o.signal });
  }
}
