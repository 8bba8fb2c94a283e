/** Exit codes every verb shares (documented in the README). */
export const ExitCode = { ok: 0, failure: 1, invalidInput: 2, interrupted: 130 } as const;

export interface PyroErrorOptions {
  /** Host the error happened on, if any. */
  host?: string;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
  exitCode?: number;
}

/** Base error: a stable code, the host, a hint and the cause. Only the CLI entry point turns it into an exit code. */
export class PyroError extends Error {
  readonly code: string;
  readonly host?: string;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(code: string, message: string, opts: PyroErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PyroError';
    this.code = code;
    this.host = opts.host;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 1;
  }
}

/** Bad input from the user (flags, files): exit code 2. */
export class InputError extends PyroError {
  constructor(code: string, message: string, opts: Omit<PyroErrorOptions, 'exitCode'> = {}) {
    super(code, message, { ...opts, exitCode: ExitCode.invalidInput });
    this.name = 'InputError';
  }
}

/** A failure on a host or service: exit code 1. */
export class HostError extends PyroError {
  constructor(code: string, host: string, message: string, opts: Omit<PyroErrorOptions, 'host'> = {}) {
    super(code, message, { ...opts, host });
    this.name = 'HostError';
  }
}

/** Several failures reported together (one per host, usually). */
export class AggregateFailure extends PyroError {
  readonly errors: PyroError[];
  constructor(message: string, errors: PyroError[]) {
    super('MULTIPLE', message, { exitCode: Math.max(1, ...errors.map((e) => e.exitCode)) });
    this.name = 'AggregateFailure';
    this.errors = errors;
  }
}

/**
 * What stopped a run: work cancelled because of another error (a host that stopped answering) is that error, and
 * a list of failures that all come from one is that one. Ctrl-C's cancellations stay as they are.
 */
export function rootCause(err: unknown): unknown {
  let e = err;
  while (e instanceof PyroError && e.code === 'EXEC_ABORTED' && e.cause instanceof PyroError && e.cause.code !== 'INTERRUPTED') e = e.cause;
  if (e instanceof AggregateFailure) {
    const errors = [...new Set(e.errors.map(rootCause))] as PyroError[];
    if (errors.length === 1) return errors[0];
    if (errors.length < e.errors.length) return new AggregateFailure(e.message, errors);
  }
  return e;
}

/** Wraps anything thrown into a PyroError, keeping PyroErrors as they are. */
export function asPyroError(err: unknown, host?: string): PyroError {
  if (err instanceof PyroError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PyroError('INTERNAL', message, { host, cause: err });
}

/** Ends the run with a code after the command has already said why (no further message). */
export class ExitError extends PyroError {
  constructor(exitCode: number) {
    super('EXIT', `exit ${exitCode}`, { exitCode });
    this.name = 'ExitError';
  }
}
