import { Output } from '../ui/output.js';

/** Everything a verb needs from the CLI, passed explicitly (no globals). */
export interface RunContext {
  out: Output;
  /** Aborted on the first Ctrl-C: long work stops and cleans up. */
  signal: AbortSignal;
  /** True when stdin and stdout are terminals: prompts are allowed. */
  interactive: boolean;
}

export function makeContext(opts: { json?: boolean; signal?: AbortSignal } = {}): RunContext {
  return {
    out: new Output({ json: opts.json }),
    signal: opts.signal ?? new AbortController().signal,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && process.env.CI !== 'true',
  };
}
