import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { writeFileAtomic } from '../util/atomic-write.js';
import { HostError } from '../util/errors.js';
import type { ExecOptions, ExecResult, Host, WriteFileOptions } from './host.js';

/** Grace period between SIGTERM and SIGKILL when a command is timed out or aborted. */
const KILL_GRACE_MS = 1000;

/** First line of a command, shortened, for error messages. */
export function describeCommand(command: string): string {
  const first = command.trim().split('\n')[0] ?? '';
  const more = first.length > 100 || command.trim().includes('\n');
  return JSON.stringify(more ? `${first.slice(0, 100)}…` : first);
}

/** Exit code a shell reports for a process killed by `signal` (128 + number), or -1 when unknown. */
export function signalExitCode(signal: string): number {
  const n = (osConstants.signals as Record<string, number | undefined>)[signal];
  return n === undefined ? -1 : 128 + n;
}

/** EXEC_TIMEOUT, naming the host and the command (every Host implementation raises the same). */
export function timeoutError(host: string, command: string, ms: number): HostError {
  return new HostError('EXEC_TIMEOUT', host, `command timed out after ${ms} ms on ${host}: ${describeCommand(command)}`, {
    hint: 'the command was killed; raise the timeout or check why it hangs on that host',
  });
}
/** EXEC_ABORTED for a command or transfer cancelled through its AbortSignal. */
export function abortError(host: string, what: string, reason?: unknown): HostError {
  return new HostError('EXEC_ABORTED', host, `cancelled on ${host}: ${what}`, { cause: reason });
}

export interface LocalHostOptions {
  name: string;
  /** Defaults to 'local'. */
  address?: string;
}

/** The machine pyro runs on (`connection: local`): commands run as `sh -c`, files written directly. */
export class LocalHost implements Host {
  readonly name: string;
  readonly address: string;

  constructor(opts: LocalHostOptions) {
    this.name = opts.name;
    this.address = opts.address ?? 'local';
  }

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return new Promise<ExecResult>((resolvePromise, reject) => {
      if (opts.signal?.aborted) {
        reject(abortError(this.name, describeCommand(command), opts.signal.reason));
        return;
      }
      // A process group of its own, so a timeout or abort also kills whatever the shell started.
      const child = spawn('sh', ['-c', command], {
        env: opts.env ? { ...process.env, ...opts.env } : process.env,
        stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        detached: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let failure: HostError | undefined;
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      let killTimer: NodeJS.Timeout | undefined;

      const killGroup = (sig: NodeJS.Signals): void => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, sig);
        } catch {
          /* already gone */
        }
      };
      const stop = (e: HostError): void => {
        if (failure || done) return;
        failure = e;
        killGroup('SIGTERM');
        killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      };
      const onAbort = (): void => stop(abortError(this.name, describeCommand(command), opts.signal?.reason));
      const cleanup = (): void => {
        done = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        opts.signal?.removeEventListener('abort', onAbort);
      };

      child.stdout!.on('data', (c: Buffer) => {
        out.push(c);
        opts.onStdout?.(c);
      });
      child.stderr!.on('data', (c: Buffer) => {
        err.push(c);
        opts.onStderr?.(c);
      });
      child.on('error', (e) => {
        cleanup();
        reject(new HostError('EXEC_FAILED', this.name, `cannot run ${describeCommand(command)} on ${this.name}: ${e.message}`, { cause: e }));
      });
      child.on('close', (code, signal) => {
        if (done) return;
        cleanup();
        if (failure) {
          reject(failure);
          return;
        }
        const result: ExecResult = {
          exitCode: code ?? (signal ? signalExitCode(signal) : -1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        };
        if (signal) result.signal = signal;
        resolvePromise(result);
      });

      if (opts.timeoutMs !== undefined) {
        const ms = opts.timeoutMs;
        timer = setTimeout(() => stop(timeoutError(this.name, command, ms)), ms);
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true });

      if (child.stdin) {
        const stdin = child.stdin;
        stdin.on('error', () => undefined); // EPIPE when the command does not read its input
        const input = opts.stdin;
        if (typeof input === 'string' || Buffer.isBuffer(input)) {
          stdin.end(input);
        } else if (input) {
          input.on('error', (e) =>
            stop(new HostError('EXEC_FAILED', this.name, `reading stdin for ${describeCommand(command)} failed: ${e.message}`, { cause: e })),
          );
          input.pipe(stdin);
        }
      }
    });
  }

  async writeFile(path: string, data: string | Buffer | Readable, opts: WriteFileOptions = {}): Promise<void> {
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, data, opts);
    } catch (err) {
      if (opts.signal?.aborted) throw abortError(this.name, `writing ${path}`, opts.signal.reason);
      throw new HostError('WRITE_FAILED', this.name, `cannot write ${path} on ${this.name}: ${(err as Error).message}`, {
        cause: err,
        hint: 'check that the directory is writable by the user pyro runs as',
      });
    }
  }

  async readFile(path: string): Promise<Buffer> {
    try {
      return await readFile(path);
    } catch (err) {
      throw fileError(this.name, path, err);
    }
  }

  async sha256(path: string): Promise<string | null> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw fileError(this.name, path, err);
    }
    return hash.digest('hex');
  }
}

function fileError(host: string, path: string, err: unknown): HostError {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    return new HostError('FILE_NOT_FOUND', host, `${path} does not exist on ${host}`, {
      cause: err,
      hint: 'check the path, or run the step that creates it first',
    });
  }
  return new HostError('READ_FAILED', host, `cannot read ${path} on ${host}: ${(err as Error).message}`, { cause: err });
}
