import { open, stat } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { InputError } from '../util/errors.js';
import { formatPath, InventoryError, type Diagnostic } from './diagnostics.js';
import { checkSize, checkText, checkTree, decodeInventory, LIMITS } from './limits.js';

export type PathSeg = string | number;

/** A parsed inventory file that can say where any field path sits in it. */
export class InventorySource {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    /** The document as plain data (maps as objects, aliases resolved). */
    readonly data: unknown,
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
    const target = (key && keyNode ? keyNode : (node ?? keyNode)) as Node | undefined;
    return target?.range?.[0];
  }

  /** Builds a diagnostic located at `path`. */
  diagnostic(path: readonly PathSeg[], message: string, opts: { hint?: string; severity?: 'error' | 'warning'; atKey?: boolean } = {}): Diagnostic {
    const { line, col } = this.position(path, opts.atKey);
    return { severity: opts.severity ?? 'error', file: this.file, line, col, path: formatPath(path), message, hint: opts.hint };
  }
}

// stat's size says nothing for a pipe (-i <(...)), a device or a file still growing: the read stops past the cap.
async function readAtMost(file: string, max: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(max);
    let n = 0;
    for (let got = -1; got !== 0 && n < max; n += got) got = (await fh.read(buf, n, max - n)).bytesRead;
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

/** Reads and parses an inventory file; unreadable files, hostile input and malformed YAML become clear input errors. */
export async function readInventorySource(file: string): Promise<InventorySource> {
  let bytes: Buffer;
  try {
    const st = await stat(file);
    if (st.isDirectory()) {
      throw new InputError('INVENTORY_IS_DIR', `${file} is a directory, not an inventory file`, {
        hint: `pass a YAML file inside it, e.g. -i ${file.replace(/\/$/, '')}/local.yaml`,
      });
    }
    // Before reading: a file of gigabytes must not be read into memory to be refused.
    const tooLarge = checkSize(file, st.size, true);
    if (tooLarge) throw new InventoryError(file, [tooLarge]);
    bytes = await readAtMost(file, LIMITS.bytes + 1);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new InputError('INVENTORY_NOT_FOUND', `inventory ${file} does not exist`, {
        hint: 'create one with `pyro init`, or pass another with -i FILE (or $PYRO_INVENTORY)',
      });
    }
    throw new InputError('INVENTORY_UNREADABLE', `cannot read inventory ${file}: ${(err as Error).message}`, {
      hint: "check the file's permissions",
    });
  }
  const text = decodeInventory(file, bytes);
  if (typeof text !== 'string') throw new InventoryError(file, [text]);
  const textError = checkSize(file, bytes.length, false) ?? checkText(file, text);
  if (textError) throw new InventoryError(file, [textError]);
  const lines = new LineCounter();
  // resolveKnownTags off: !!binary, !!set, !!timestamp would otherwise be built as objects before checkTree sees them.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: false, resolveKnownTags: false });
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    // The parser recurses per nesting level and reports the overflow as an error of its own.
    const tooDeep = /Maximum call stack size exceeded/.test(message);
    diagnostics.push({
      severity: 'error',
      file,
      line: pos.line,
      col: pos.col,
      path: '(yaml)',
      message: tooDeep ? `nested more than ${LIMITS.depth} levels deep` : message,
      hint: tooDeep ? 'an inventory needs only a few levels of nesting' : 'check indentation and quoting on this line; YAML uses spaces, not tabs',
    });
  }
  if (!diagnostics.length) diagnostics.push(...checkTree(file, doc, lines));
  if (diagnostics.length) throw new InventoryError(file, diagnostics);
  if (text.trim() === '' || doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new InventoryError(file, [
      {
        severity: 'error',
        file,
        line: 1,
        col: 1,
        path: '(root)',
        message: 'the inventory is empty',
        hint: 'start from inventories/local.yaml or run `pyro init`',
      },
    ]);
  }
  let data: unknown;
  try {
    // checkTree has bounded the aliases already; yaml's own cap stays as a second guard.
    data = doc.toJS({ maxAliasCount: LIMITS.values });
  } catch (err) {
    throw new InventoryError(file, [
      {
        severity: 'error',
        file,
        line: 1,
        col: 1,
        path: '(yaml)',
        message: (err as Error).message,
        hint: 'check the anchors (&name) and aliases (*name) in the file',
      },
    ]);
  }
  return new InventorySource(file, text, doc, lines, data);
}
