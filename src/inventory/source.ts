import { readFile, stat } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { InputError } from '../util/errors.js';
import { formatPath, InventoryError, type Diagnostic } from './diagnostics.js';

export type PathSeg = string | number;

/** A parsed inventory file that can say where any field path sits in it. */
export class InventorySource {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Line and column (1-based) of the value at `path`; with `key`, of its key. Falls back to the nearest parent. */
  position(path: readonly PathSeg[], key = false): { line: number; col: number } {
    for (let n = path.length; n >= 0; n--) {
      const offset = this.offsetOf(path.slice(0, n), key && n === path.length);
      if (offset !== undefined) return this.lines.linePos(offset);
    }
    return { line: 1, col: 1 };
  }

  private offsetOf(path: readonly PathSeg[], key: boolean): number | undefined {
    let node: unknown = this.doc.contents;
    let keyNode: unknown;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return undefined;
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        keyNode = undefined;
      } else {
        return undefined;
      }
    }
    const target = (key && keyNode ? keyNode : node ?? keyNode) as Node | undefined;
    return target?.range?.[0];
  }

  /** Builds a diagnostic located at `path`. */
  diagnostic(
    path: readonly PathSeg[],
    message: string,
    opts: { hint?: string; severity?: 'error' | 'warning'; atKey?: boolean } = {},
  ): Diagnostic {
    const { line, col } = this.position(path, opts.atKey);
    return { severity: opts.severity ?? 'error', file: this.file, line, col, path: formatPath(path), message, hint: opts.hint };
  }
}

/** Reads and parses an inventory file; unreadable files and malformed YAML become clear input errors. */
export async function readInventorySource(file: string): Promise<InventorySource> {
  let text: string;
  try {
    const st = await stat(file);
    if (st.isDirectory()) {
      throw new InputError('INVENTORY_IS_DIR', `${file} is a directory, not an inventory file`, {
        hint: `pass a YAML file inside it, e.g. -i ${file.replace(/\/$/, '')}/local.yaml`,
      });
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new InputError('INVENTORY_NOT_FOUND', `inventory ${file} does not exist`, {
        hint: 'create one with `pyro init`, or pass another with -i FILE (or $PYRO_INVENTORY)',
      });
    }
    throw new InputError('INVENTORY_UNREADABLE', `cannot read inventory ${file}: ${(err as Error).message}`, {
      hint: 'check the file\'s permissions',
    });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    diagnostics.push({
      severity: 'error', file, line: pos.line, col: pos.col, path: '(yaml)', message,
      hint: e.code === 'DUPLICATE_KEY' ? 'remove or rename one of the duplicated keys' : 'check indentation and quoting on this line; YAML uses spaces, not tabs',
    });
  }
  if (diagnostics.length) throw new InventoryError(file, diagnostics);
  if (text.trim() === '' || doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new InventoryError(file, [{
      severity: 'error', file, line: 1, col: 1, path: '(root)', message: 'the inventory is empty',
      hint: 'start from inventories/local.yaml or run `pyro init`',
    }]);
  }
  return new InventorySource(file, text, doc, lines);
}
