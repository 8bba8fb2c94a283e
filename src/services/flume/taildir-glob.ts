import path from 'node:path';

// Flume's TAILDIR source takes a directory plus a Java regex over the file names in it (TaildirMatcher splits the
// pattern at its last slash). The inventory speaks globs; this turns one into the other.

/** A file glob as TAILDIR takes it: the directory, and a regex over the names in it. */
export interface TaildirPattern {
  dir: string;
  regex: string;
}

/** Why a glob cannot be tailed, with what to write instead; undefined when it can. */
export function globProblem(glob: string): { message: string; hint: string } | undefined {
  if (!glob.startsWith('/')) {
    return { message: `${glob} is not an absolute path`, hint: `write the full path on the host, e.g. /var/log/app/${path.posix.basename(glob) || '*.log'}` };
  }
  if (glob.endsWith('/')) return { message: `${glob} names a directory, not files`, hint: `add a file-name pattern, e.g. ${glob}*.log` };
  const dir = path.posix.dirname(glob);
  if (/[*?[{]/.test(dir)) {
    return {
      message: `${glob} has a wildcard in its directory (${dir}); Flume's taildir source matches file names only`,
      hint: 'list one path per directory, with wildcards in the file name only, e.g. /var/log/app/*.log',
    };
  }
  return undefined;
}

const REGEX_SPECIAL = new Set([...'\\.^$|()+{}[]*?']);

/** Braces that pair up (a shell takes an unpaired one literally). */
function bracesPair(name: string): boolean {
  let depth = 0;
  for (const ch of name) {
    if (ch === '{') depth++;
    else if (ch === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * The directory and Java regex of a file glob whose wildcards are all in the file name: `*` any run of characters,
 * `?` one, `[...]` a class (`[!...]` negated), `{a,b}` either; everything else literal. Throws on a glob
 * globProblem refuses (the inventory rules report those first, located).
 */
export function taildirPattern(glob: string): TaildirPattern {
  const problem = globProblem(glob);
  if (problem) throw new Error(problem.message);
  const name = path.posix.basename(glob);
  const braces = bracesPair(name);
  let regex = '';
  let depth = 0;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    const negated = ch === '[' && (name[i + 1] === '!' || name[i + 1] === '^');
    // A `]` right after the opening (or its `!`) belongs to the class, as in a shell.
    const close = ch === '[' ? name.indexOf(']', i + (negated ? 3 : 2)) : -1;
    if (ch === '*') regex += '.*';
    else if (ch === '?') regex += '.';
    else if (close > 0) {
      const body = name
        .slice(i + (negated ? 2 : 1), close)
        .replace(/[\\[\]]/g, '\\$&')
        .replace(/&&/g, '&\\&');
      regex += `[${negated ? '^' : ''}${body}]`;
      i = close;
    } else if (ch === '{' && braces) {
      depth++;
      regex += '(?:';
    } else if (ch === ',' && depth > 0) regex += '|';
    else if (ch === '}' && braces) {
      depth--;
      regex += ')';
    } else regex += REGEX_SPECIAL.has(ch) ? `\\${ch}` : ch;
  }
  return { dir: path.posix.dirname(glob), regex };
}
