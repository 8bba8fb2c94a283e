import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

/** Repo root, from dist/test/helpers/. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const PYRO = path.join(ROOT, 'bin', 'pyro');

export interface PyroRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a user would (no TTY, no colour unless asked). */
export async function runPyro(args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<PyroRun> {
  const execOpts: Options = {
    cwd: opts.cwd ?? ROOT,
    env: { NO_COLOR: '1', ...opts.env },
    reject: false,
    input: opts.input ?? '',
    timeout: opts.timeoutMs ?? 120_000,
  };
  const r = await execa(PYRO, args, execOpts);
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
