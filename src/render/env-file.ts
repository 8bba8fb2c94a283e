import { shellQuote } from '../util/shell.js';
import type { ConfigValue } from './hadoop-xml.js';

/** A POSIX sh env file (`export KEY='value'`), sourced by pyro's launch scripts. */
export function renderEnvFile(vars: Record<string, ConfigValue>): string {
  const lines = Object.keys(vars)
    .sort()
    .map((k) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not a shell variable name: ${k}`);
      return `export ${k}=${shellQuote(String(vars[k]))}`;
    });
  return `# Written by pyro; edits are overwritten.\n${lines.join('\n')}\n`;
}
