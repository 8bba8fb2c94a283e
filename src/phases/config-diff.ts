/** Parses `key=value` lines (comments and blanks skipped) or Hadoop XML properties into a map, for diffs. */
function keyValues(name: string, text: string): Map<string, string> | undefined {
  if (name.endsWith('.xml')) {
    const m = new Map<string, string>();
    for (const p of text.matchAll(/<name>([\s\S]*?)<\/name>\s*<value>([\s\S]*?)<\/value>/g)) m.set(p[1]!, p[2]!);
    return m;
  }
  if (name.endsWith('.properties')) {
    const m = new Map<string, string>();
    for (const line of text.split('\n')) {
      if (!line.trim() || /^\s*[#!]/.test(line)) continue;
      const i = line.indexOf('=');
      if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
    }
    return m;
  }
  return undefined;
}

/**
 * What changed in a config file, one line per change: `key: old -> new`, `+key=value`, `-key` for key-value files,
 * `-line` / `+line` otherwise (lines only in one of them, in order).
 */
export function diffConfig(name: string, before: string | undefined, after: string): string[] {
  if (before === undefined) return ['(new file)'];
  if (before === after) return [];
  const a = keyValues(name, before);
  const b = keyValues(name, after);
  if (a && b) {
    const out: string[] = [];
    for (const [k, v] of b) {
      if (!a.has(k)) out.push(`+${k}=${v}`);
      else if (a.get(k) !== v) out.push(`${k}: ${a.get(k)} -> ${v}`);
    }
    for (const k of a.keys()) if (!b.has(k)) out.push(`-${k}`);
    return out.length ? out : ['(formatting only)'];
  }
  const al = before.split('\n');
  const bl = after.split('\n');
  const as = new Set(al);
  const bs = new Set(bl);
  return [...al.filter((l) => !bs.has(l)).map((l) => `-${l}`), ...bl.filter((l) => !as.has(l)).map((l) => `+${l}`)];
}
