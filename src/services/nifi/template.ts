import { readFile } from 'node:fs/promises';
import path from 'node:path';

// A flow template as the inventory names it: a file of JSON, NiFi's flow definition format (what the UI's
// "Download flow definition" saves for a process group), read relative to the inventory file.

/** The parts of a flow definition pyro reads or rewrites; everything else is passed through as written. */
export interface FlowDefinition {
  flowContents: VersionedGroup;
  parameterContexts?: Record<string, VersionedParameterContext>;
  [key: string]: unknown;
}

export interface VersionedGroup {
  identifier: string;
  name: string;
  comments?: string;
  parameterContextName?: string;
  processors: VersionedProcessor[];
  processGroups: VersionedGroup[];
  controllerServices: VersionedControllerService[];
  connections: VersionedConnection[];
  [key: string]: unknown;
}

export interface VersionedBundle {
  group: string;
  artifact: string;
  version: string;
}

export interface VersionedPropertyDescriptor {
  name: string;
  displayName?: string;
  identifiesControllerService?: boolean;
  sensitive?: boolean;
  [key: string]: unknown;
}

export interface VersionedProcessor {
  identifier: string;
  name: string;
  type: string;
  bundle: VersionedBundle;
  properties: Record<string, string | null>;
  propertyDescriptors?: Record<string, VersionedPropertyDescriptor>;
  groupIdentifier?: string;
  [key: string]: unknown;
}

export interface VersionedControllerService {
  identifier: string;
  name: string;
  type: string;
  bundle: VersionedBundle;
  properties: Record<string, string | null>;
  [key: string]: unknown;
}

export interface VersionedConnection {
  identifier: string;
  source: { id: string; type: string };
  destination: { id: string; type: string };
  [key: string]: unknown;
}

export interface VersionedParameter {
  name: string;
  description?: string;
  sensitive?: boolean;
  provided?: boolean;
  value?: string | null;
  [key: string]: unknown;
}

export interface VersionedParameterContext {
  name: string;
  parameters: VersionedParameter[];
  [key: string]: unknown;
}

/** Where a template file is: its path relative to the inventory file, or absolute. */
export function templatePath(inventoryFile: string, template: string): string {
  return path.resolve(path.dirname(path.resolve(inventoryFile)), template);
}

/** A JSON syntax error with its place in the file. */
export class TemplateSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${col}: ${reason}`);
  }
}

/** Line and column (1-based) of a character offset. */
function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

/**
 * Parses a template's text; a syntax error is located by line and column (V8 names only the offset, or nothing at
 * the end of the input). Also refuses JSON that is not a flow definition (no flowContents).
 */
export function parseTemplate(file: string, text: string): FlowDefinition {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const at = /at position (\d+)/.exec(msg);
    const lc = /\(line (\d+) column (\d+)\)/.exec(msg);
    const where = lc ? { line: Number(lc[1]), col: Number(lc[2]) } : lineCol(text, at ? Number(at[1]) : text.length);
    const reason = msg
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/^JSON\.parse: /, '');
    throw new TemplateSyntaxError(file, where.line, where.col, `not valid JSON: ${reason}`);
  }
  const contents = (doc as { flowContents?: unknown } | null)?.flowContents;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof contents !== 'object' || contents === null) {
    throw new TemplateSyntaxError(file, 1, 1, 'not a NiFi flow definition: it has no flowContents object');
  }
  return doc as FlowDefinition;
}

export async function readTemplate(file: string): Promise<FlowDefinition> {
  return parseTemplate(file, await readFile(file, 'utf8'));
}

/** The parameter context the flow's top group uses, as the template declares it. */
export function topContext(def: FlowDefinition): VersionedParameterContext | undefined {
  const name = def.flowContents.parameterContextName;
  return name ? def.parameterContexts?.[name] : undefined;
}

/** Every processor of a group and its children. */
export function allProcessors(g: VersionedGroup): VersionedProcessor[] {
  return [...(g.processors ?? []), ...(g.processGroups ?? []).flatMap(allProcessors)];
}
