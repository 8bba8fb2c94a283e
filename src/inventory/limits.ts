import { isAlias, isMap, isScalar, isSeq, Lexer, type Document, type LineCounter, type Node } from 'yaml';
import { clip, formatPath, type Diagnostic } from './diagnostics.js';

// An inventory is input: whatever its bytes, pyro answers with a located error, never a crash, a hang or a blown heap.
// The caps sit far above any real cluster (inventories/local.yaml: 2 KiB, ~460 tokens; a thousand hosts with three
// roles each: ~100 KiB, ~36000 tokens) and low enough that the parser (~1 µs a token, ~10 on a saturated machine)
// refuses a hostile file in well under a second.

/** Caps on one inventory file. */
export const LIMITS = {
  bytes: 1 << 20,
  tokens: 100_000,
  /** Values once aliases are expanded: "billion laughs" is a few lines that expand to 10^9. */
  values: 100_000,
  /** yaml resolves each alias by a scan of every anchor and alias before it: many aliases cost quadratic time. */
  aliases: 1_000,
  depth: 64,
} as const;

// The YAML 1.2 core schema's own tags. Anything else would ask the loader to build something (!!js/function,
// !!python/object, !!binary, !!set, !foo): an inventory is plain data, so the tag is refused rather than ignored.
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

function fileError(file: string, line: number, col: number, message: string, hint: string): Diagnostic {
  return { severity: 'error', file, line, col, path: '(root)', message, hint };
}

function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

/** Refuses a file over the size cap; `exact` when `bytes` is its size, not just how much was read of it. */
export function checkSize(file: string, bytes: number, exact: boolean): Diagnostic | undefined {
  if (bytes <= LIMITS.bytes) return undefined;
  const size = exact ? mib(bytes) : `over ${mib(LIMITS.bytes)}`;
  return fileError(
    file,
    1,
    1,
    `the file is ${size}; an inventory is at most ${mib(LIMITS.bytes)}`,
    'is this the inventory? One describing a thousand hosts is about 100 KiB',
  );
}

/**
 * Decodes an inventory's bytes as UTF-8. A leading BOM is dropped: YAML allows one, Windows editors write one, and the
 * user cannot see it, so refusing it would be a puzzle. Binary data, UTF-16 and invalid UTF-8 are refused, located.
 */
export function decodeInventory(file: string, bytes: Buffer): string | Diagnostic {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return fileError(file, 1, 1, 'the file is UTF-16 text; pyro reads inventories as UTF-8', `save it as UTF-8, e.g. iconv -f UTF-16 -t UTF-8 ${file}`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, col } = bytePosition(bytes, nul);
    return fileError(
      file,
      line,
      col,
      'the file holds a NUL byte: it is binary, not YAML',
      "pass the inventory's YAML file with -i, e.g. -i inventories/local.yaml",
    );
  }
  try {
    // The WHATWG decoder drops a leading BOM itself (ignoreBOM defaults to false).
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const text = bytes.toString('utf8');
    const at = firstInvalid(text, bytes);
    const { line, col } = charPosition(text, at.char);
    return fileError(
      file,
      line,
      col,
      `byte 0x${bytes[at.byte]!.toString(16).padStart(2, '0')} is not valid UTF-8`,
      `save the file as UTF-8; from Latin-1, e.g. iconv -f LATIN1 -t UTF-8 ${file}`,
    );
  }
}

/** Where the first invalid sequence sits: the first U+FFFD of the lenient decoding that is not a real U+FFFD in the file. */
function firstInvalid(text: string, bytes: Buffer): { char: number; byte: number } {
  let byte = 0;
  let last = 0;
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) {
    // Counted from the previous hit, not from 0: a file of many real U+FFFD must not cost quadratic time.
    byte += Buffer.byteLength(text.slice(last, i));
    last = i;
    if (!(bytes[byte] === 0xef && bytes[byte + 1] === 0xbf && bytes[byte + 2] === 0xbd)) return { char: i, byte };
  }
  return { char: 0, byte: 0 };
}

function bytePosition(bytes: Buffer, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

function charPosition(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, col: offset - before.lastIndexOf('\n') };
}

/**
 * Checks the text before the parser sees it: characters YAML forbids (escape sequences would reach the terminal in
 * messages that quote a value) and more tokens than the cap (parsing time grows with them; counting stops at the cap).
 */
export function checkText(file: string, text: string): Diagnostic | undefined {
  // YAML 1.2 c-printable: tab, line breaks, and printable characters; C0/C1 controls (but NEL) and U+FFFE/U+FFFF are not.
  const bad = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]/.exec(text);
  if (bad) {
    const { line, col } = charPosition(text, bad.index);
    const code = `U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    return fileError(
      file,
      line,
      col,
      `control character ${code} is not allowed in YAML`,
      'remove it; inside double quotes it can be written escaped, e.g. "\\t"',
    );
  }
  let tokens = 0;
  for (const _ of new Lexer().lex(text)) {
    if (++tokens > LIMITS.tokens) {
      return fileError(
        file,
        1,
        1,
        `the file has over ${LIMITS.tokens} YAML tokens; an inventory of a thousand hosts has about 40000`,
        'is this the inventory? Generated data belongs in its own files, not in the inventory',
      );
    }
  }
  return undefined;
}

/**
 * Walks the parsed document for what the parser accepts but pyro must not: tags that construct objects, aliases to
 * no anchor or to a value holding them (a cycle), too many aliases, expansion past the values cap, nesting past the
 * depth cap, and keys repeated in a map. Linear in the document (yaml's own uniqueKeys check is quadratic).
 */
export function checkTree(file: string, doc: Document.Parsed, lines: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (node: Node, path: readonly (string | number)[], message: string, hint: string) => {
    const { line, col } = lines.linePos(node.range?.[0] ?? 0);
    out.push({ severity: 'error', file, line, col, path: formatPath(path), message, hint });
  };
  // Anchors by name as the parser resolves them: the latest one set before the alias, its own node included.
  const anchors = new Map<string, { values?: number }>();
  let aliases = 0;
  let values = 0;
  let expanded = false;
  let deep = false;

  // Returns how many values the node stands for once its aliases are expanded (saturating above the cap).
  const visit = (node: unknown, path: (string | number)[], depth: number): number => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (++aliases === LIMITS.aliases + 1) {
        report(node, path, `more than ${LIMITS.aliases} aliases`, 'write the values out; an inventory needs only a few anchors');
      }
      if (!target) {
        report(
          node,
          path,
          `alias *${node.source} has no anchor &${node.source} before it`,
          `set &${node.source} on a value above this line, or write the value here`,
        );
        return 1;
      }
      if (target.values === undefined) {
        report(
          node,
          path,
          `alias *${node.source} is inside the value it refers to (a cycle)`,
          'an inventory is a tree: write the value out instead of referring to itself',
        );
        return 1;
      }
      values += target.values;
      if (values > LIMITS.values && !expanded) {
        expanded = true;
        report(
          node,
          path,
          `aliases expand the inventory past ${LIMITS.values} values`,
          "each alias copies its anchor's value; refer to small values, and not through chains of aliases",
        );
      }
      return target.values;
    }
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return 0;
    values++;
    if (node.tag && !PLAIN_TAGS.has(node.tag)) {
      const tag = node.tag.replace(/^tag:yaml\.org,2002:/, '!!');
      report(node, path, `tag ${tag} is not allowed in an inventory`, 'remove the tag: an inventory holds plain values (quote a value to make it a string)');
    }
    // Set before its children are visited, with no size yet: an alias among them is a cycle.
    const anchor: { values?: number } | undefined = node.anchor ? {} : undefined;
    if (anchor) anchors.set(node.anchor!, anchor);
    let total = 1;
    if (depth > LIMITS.depth) {
      // Named by its top-level section: the full path would be as long as the nesting.
      if (!deep) report(node, path.slice(0, 1), `nested more than ${LIMITS.depth} levels deep`, 'an inventory needs only a few levels of nesting');
      deep = true;
    } else if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        const key = pair.key as unknown;
        total += visit(key, path, depth + 1);
        let seg: string | number = '?';
        if (isScalar(key)) {
          // Compared as the JS object will see them: `1:` and `"1":` are the same key there.
          seg = String(key.value);
          const first = seen.get(seg);
          if (first !== undefined) {
            report(key, path, `Map keys must be unique: \`${clip(seg)}\` is already set on line ${first}`, 'remove or rename one of the duplicated keys');
          } else {
            seen.set(seg, lines.linePos(key.range?.[0] ?? 0).line);
          }
        }
        total += visit(pair.value, [...path, seg], depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => (total += visit(item, [...path, i], depth + 1)));
    }
    if (anchor) anchor.values = Math.min(total, LIMITS.values + 1);
    return Math.min(total, LIMITS.values + 1);
  };
  visit(doc.contents, [], 0);
  return out;
}
