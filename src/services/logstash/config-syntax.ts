import type { PathSeg } from '../../inventory/source.js';

// Values in Logstash's pipeline config language, as its grammar (lscl_grammar.treetop) reads them with
// config.support_escapes on, which pipelines.yml sets for every pipeline pyro writes. Strings are double-quoted;
// inside them \\ \" \n \r \t are the only escapes pyro writes (each is decoded by every Logstash since 6.0).
// Option names are barewords: Logstash takes a quoted option name literally, escapes and all.

/** A plugin block in a section, or a plugin as an option's value (a codec with options). */
export class LsPlugin {
  constructor(
    readonly plugin: string,
    readonly options: [string, unknown][] = [],
  ) {}
}

/** An option or plugin name as the grammar's bareword name takes it. */
export const BARE_NAME = /^[A-Za-z0-9_-]+$/;

/** A number as the grammar writes one: digits and an optional fraction, never an exponent; undefined for NaN, ±∞. */
export function numberLiteral(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const s = String(Object.is(n, -0) ? 0 : n);
  const e = /^(-?)([0-9])(?:\.([0-9]+))?e([+-][0-9]+)$/.exec(s);
  if (!e) return s;
  // JavaScript's shortest exact form, with its exponent spelt out: 1e+21 -> 1000000000000000000000, 1.5e-7 -> 0.00000015.
  const [, sign, lead, frac = '', exp] = e;
  const digits = lead! + frac;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * Why a value cannot be written in a .conf, and where inside it (path from the value down), or undefined when it
 * can. A string ending in a backslash is the one string the grammar cannot hold: its escaped form ends in `\\"`,
 * whose last `\"` the grammar reads as an escaped quote.
 */
export function unwritable(value: unknown, at: PathSeg[] = []): { at: PathSeg[]; why: string } | undefined {
  if (value === null || value === undefined) return { at, why: 'is empty (null), which has no form in a Logstash config' };
  if (typeof value === 'string') return value.endsWith('\\') ? { at, why: 'ends in a backslash, which no Logstash config string can end in' } : undefined;
  if (typeof value === 'number') return numberLiteral(value) === undefined ? { at, why: `${value} is not a number a Logstash config can write` } : undefined;
  if (typeof value === 'boolean') return undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const bad = unwritable(v, [...at, i]);
      if (bad) return bad;
    }
    return undefined;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.endsWith('\\')) return { at: [...at, k], why: 'is a key ending in a backslash, which no Logstash config string can end in' };
      const bad = unwritable(v, [...at, k]);
      if (bad) return bad;
    }
    return undefined;
  }
  return { at, why: `a ${typeof value} has no form in a Logstash config` };
}

/** A double-quoted string. */
export function lsString(s: string): string {
  if (s.endsWith('\\')) throw new Error(`a Logstash config string cannot end in a backslash: ${JSON.stringify(s)}`);
  const escaped = s.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
  return `"${escaped}"`;
}

const pad = (n: number) => ' '.repeat(n);

/** A value at an indentation: strings quoted, numbers and booleans bare, lists inline, maps one entry a line. */
export function lsValue(v: unknown, indent = 0): string {
  if (typeof v === 'string') return lsString(v);
  if (typeof v === 'number') {
    const n = numberLiteral(v);
    if (n === undefined) throw new Error(`${v} has no form in a Logstash config`);
    return n;
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => lsValue(x, indent)).join(', ')}]`;
  if (v instanceof LsPlugin) return lsPluginBlock(v, indent);
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v);
    if (!entries.length) return '{}';
    return `{\n${entries.map(([k, x]) => `${pad(indent + 2)}${lsString(k)} => ${lsValue(x, indent + 2)}\n`).join('')}${pad(indent)}}`;
  }
  throw new Error(`${String(v)} has no form in a Logstash config`);
}

/** `name { option => value ... }`; a plugin without options as its bare name (a codec: `codec => json`). */
export function lsPluginBlock(p: LsPlugin, indent = 0): string {
  for (const name of [p.plugin, ...p.options.map(([k]) => k)]) {
    if (!BARE_NAME.test(name)) throw new Error(`not a Logstash option or plugin name: ${JSON.stringify(name)}`);
  }
  if (!p.options.length) return p.plugin;
  const lines = p.options.map(([k, v]) => `${pad(indent + 2)}${k} => ${lsValue(v, indent + 2)}\n`);
  return `${p.plugin} {\n${lines.join('')}${pad(indent)}}`;
}

/** A section (`input`, `filter`, `output`) of plugin blocks; nothing when it has none. */
export function lsSection(section: 'input' | 'filter' | 'output', plugins: LsPlugin[]): string {
  if (!plugins.length) return '';
  return `${section} {\n${plugins.map((p) => `  ${lsPluginBlock(p, 2)}\n`).join('')}}\n`;
}
