import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CommanderError } from 'commander';
import { formatDiagnostic, InventoryError } from '../inventory/diagnostics.js';
import { stateRoot } from '../state/paths.js';
import { Output } from '../ui/output.js';
import { AggregateFailure, ExitCode, ExitError, PyroError, rootCause } from '../util/errors.js';
import { makeContext } from './context.js';
import { buildProgram } from './program.js';

// The only module that sets exit codes: verbs throw, this decides what the user sees and how pyro ends.

function report(thrown: unknown, out: Output): number {
  const err = rootCause(thrown);
  if (err instanceof ExitError) return err.exitCode;
  if (err instanceof InventoryError) {
    for (const d of err.diagnostics) out.diagnostic(formatDiagnostic(d), d.severity);
    out.error(err.message);
    return err.exitCode;
  }
  if (err instanceof AggregateFailure) {
    out.error(err.message);
    for (const e of err.errors) printOne(e, out, '  ');
    return err.exitCode;
  }
  if (err instanceof PyroError && err.code !== 'INTERNAL') {
    printOne(err, out, '');
    return err.exitCode;
  }
  const log = writeDebugLog(err);
  out.error(`internal error: ${err instanceof Error ? err.message : String(err)}`);
  out.error(`this is a bug in pyro; please report it with the log at ${log}`);
  return ExitCode.failure;
}

function printOne(err: PyroError, out: Output, indent: string): void {
  out.error(`${indent}${err.host ? `[${err.host}] ` : ''}${err.message}`);
  if (err.hint) process.stderr.write(`${indent}  hint: ${err.hint}\n`);
}

function writeDebugLog(err: unknown): string {
  const dir = path.join(stateRoot(), 'logs');
  const file = path.join(dir, `pyro-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const cause = err instanceof Error && err.cause ? `\ncaused by: ${(err.cause as Error).stack ?? String(err.cause)}` : '';
    writeFileSync(file, `pyro ${process.argv.slice(2).join(' ')}\n${err instanceof Error ? err.stack : String(err)}${cause}\n`);
    return file;
  } catch {
    return '(could not write a log file)';
  }
}

/** Runs the CLI and returns the exit code (never exits itself; bin/pyro does). */
export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`pyro cache list | head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
    throw err;
  });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    process.stderr.write('\ninterrupted: stopping and cleaning up (Ctrl-C again to quit at once)\n');
    controller.abort(new PyroError('INTERRUPTED', 'interrupted', { exitCode: ExitCode.interrupted }));
  };
  process.on('SIGINT', onSigint);
  let code: number = ExitCode.ok;
  const program = buildProgram(async (fn, opts) => {
    const ctx = makeContext({ json: opts?.json, signal: controller.signal });
    try {
      await fn(ctx);
    } catch (err) {
      code = report(err, ctx.out);
    }
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with code 0; usage errors are invalid input.
      code = err.exitCode === 0 ? ExitCode.ok : ExitCode.invalidInput;
    } else {
      code = report(err, new Output());
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (controller.signal.aborted && code !== ExitCode.ok) code = ExitCode.interrupted;
  return code;
}
