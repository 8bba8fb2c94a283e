import { InputError } from '../util/errors.js';

/** One problem found in an inventory, located in its file. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  col: number;
  /** Field path in the inventory, e.g. hosts[1].roles[0]. */
  path: string;
  message: string;
  hint?: string;
}

/** Formats a path array as `hosts[1].roles[0]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${clip(seg)}` : clip(seg);
    else out += `[${quote(seg)}]`;
  }
  return out || '(root)';
}

/** A value short enough to quote in a message: a hostile file's megabyte-long value must not flood the terminal. */
export function clip(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}

/** A value as JSON, cut short like clip. */
export function quote(value: unknown): string {
  return clip(JSON.stringify(value) ?? String(value));
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}`;
  const head = `${where}: ${d.severity}: ${d.path === '(root)' ? '' : `${d.path}: `}${d.message}`;
  return d.hint ? `${head}\n    hint: ${d.hint}` : head;
}

/** An invalid inventory: carries every error (and warning) found, printed together. Exit code 2. */
export class InventoryError extends InputError {
  readonly diagnostics: Diagnostic[];
  constructor(file: string, diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super('INVALID_INVENTORY', `${file}: ${errors.length} error${errors.length === 1 ? '' : 's'} in the inventory`, {
      hint: 'fix the errors above, then run `pyro validate` again',
    });
    this.name = 'InventoryError';
    this.diagnostics = diagnostics;
  }
}
