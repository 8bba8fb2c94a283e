import { Chalk, type ChalkInstance } from 'chalk';

export interface OutputOptions {
  json?: boolean;
  /** Force colour on or off; default: on a TTY unless NO_COLOR is set. */
  color?: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * The one place that writes to the terminal. Human text goes to stderr when --json owns stdout,
 * so a program reading stdout only ever sees JSON.
 */
export class Output {
  readonly json: boolean;
  readonly color: ChalkInstance;
  readonly isTTY: boolean;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;

  constructor(opts: OutputOptions = {}) {
    this.out = opts.stdout ?? process.stdout;
    this.err = opts.stderr ?? process.stderr;
    this.json = opts.json ?? false;
    this.isTTY = Boolean((opts.stdout ?? process.stdout).isTTY);
    const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
    const useColor = opts.color ?? (this.isTTY && !noColor && process.env.TERM !== 'dumb');
    this.color = new Chalk({ level: useColor ? 1 : 0 });
  }

  /** Human-readable line (stdout, or stderr under --json). */
  info(line = ''): void {
    (this.json ? this.err : this.out).write(`${line}\n`);
  }

  /** Header for a phase or tier. */
  heading(title: string): void {
    this.info(this.color.bold(`== ${title}`));
  }

  /** A line about one host. */
  host(host: string, line: string): void {
    this.info(`${this.color.cyan(`[${host}]`)} ${line}`);
  }

  warn(line: string): void {
    this.err.write(`${this.color.yellow('warning:')} ${line}\n`);
  }

  error(line: string): void {
    this.err.write(`${this.color.red('error:')} ${line}\n`);
  }

  /** A located diagnostic (file:line:col: severity: ...), coloured by severity, on stderr. */
  diagnostic(text: string, severity: 'error' | 'warning'): void {
    const [first, ...rest] = text.split('\n');
    const paint = severity === 'error' ? this.color.red : this.color.yellow;
    this.err.write(`${paint(first!)}\n${rest.map((l) => `${l}\n`).join('')}`);
  }

  /** Writes a value as JSON on stdout (for --json). */
  data(value: unknown): void {
    this.out.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
