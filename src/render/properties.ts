import type { ConfigValue } from './hadoop-xml.js';

// Java .properties escaping: backslash, leading spaces, separators and comment markers in keys; non-ASCII as \uXXXX.
function escapeProp(s: string, isKey: boolean): string {
  let out = '';
  for (const [i, ch] of [...s].entries()) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if ((isKey && (ch === '=' || ch === ':' || ch === ' ')) || ((ch === '#' || ch === '!') && i === 0)) out += `\\${ch}`;
    else if (!isKey && ch === ' ' && i === 0) out += '\\ ';
    else if (code > 0x7e) out += code > 0xffff ? ch : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** A Java .properties file (Kafka server.properties, Flume, NiFi): sorted `key=value`, one per line. */
export function renderProperties(props: Record<string, ConfigValue>): string {
  const lines = Object.keys(props)
    .sort()
    .map((k) => `${escapeProp(k, true)}=${escapeProp(String(props[k]), false)}`);
  return `# Written by pyro; edits are overwritten. Override keys in the inventory.\n${lines.join('\n')}\n`;
}
