import type { Readable } from 'node:stream';

/** Result of a finished remote command. */
export interface ExecResult {
  exitCode: number;
  /** Signal name when the process was killed by one. */
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Bytes written to the command's stdin, then stdin is closed. */
  stdin?: string | Buffer | Readable;
  /** Kill the command after this many milliseconds (HostError code EXEC_TIMEOUT). */
  timeoutMs?: number;
  /** Cancels the command (HostError code EXEC_ABORTED). */
  signal?: AbortSignal;
  /** Called with each chunk as it arrives, for streaming output. */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Environment added for this command. */
  env?: Record<string, string>;
}

export interface WriteFileOptions {
  /** File mode, e.g. 0o644 (default) or 0o600 for secrets. */
  mode?: number;
  signal?: AbortSignal;
}

/**
 * One machine pyro manages, reached over SSH or run locally. Everything above the host layer talks to hosts
 * only through this interface; commands are POSIX sh command lines.
 */
export interface Host {
  /** Inventory name of the host. */
  readonly name: string;
  /** Address used to reach it (or 'local'). */
  readonly address: string;
  /** Opens the connection (idempotent). Verifies the host key for SSH. */
  connect(): Promise<void>;
  /** Runs a sh command line; resolves with its exit code even when non-zero. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * The atomic path for files on a host: the bytes go to a temporary file beside the target, which is synced to
   * disk, given its mode and renamed over the target (parents created), so readers and a crash see the old file
   * or the new one, never a part. Nothing is left behind on failure.
   */
  writeFile(path: string, data: string | Buffer | Readable, opts?: WriteFileOptions): Promise<void>;
  /** Reads a whole file. HostError code FILE_NOT_FOUND when it is missing. */
  readFile(path: string): Promise<Buffer>;
  /** Hex sha256 of a file, or null when it does not exist. */
  sha256(path: string): Promise<string | null>;
  /** Closes the connection; safe to call more than once. */
  close(): Promise<void>;
}

export { shellQuote } from '../util/shell.js';
