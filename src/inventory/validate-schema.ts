import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { didYouMean } from '../util/did-you-mean.js';
import { clip, quote, type Diagnostic } from './diagnostics.js';
import { precompiledValidator } from './precompiled-validator.js';
import { inventorySchema } from './schema.js';
import type { InventorySource, PathSeg } from './source.js';
import type { ComponentSpec } from './types.js';

export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: false } as const;
const ajv = new Ajv(AJV_OPTIONS);
// Compiling takes tens of ms: once per catalogue.
const compiled = new WeakMap<readonly ComponentSpec[], ValidateFunction>();

function validatorFor(components: readonly ComponentSpec[]): ValidateFunction {
  let v = compiled.get(components);
  if (!v) {
    // Without its $id: one Ajv instance refuses a second schema under the same id (another catalogue, in tests).
    const { $id: _id, ...schema } = inventorySchema(components);
    compiled.set(components, (v = precompiledValidator(schema) ?? ajv.compile(schema)));
  }
  return v;
}

function toPath(instancePath: string): PathSeg[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${quote(value)}`;
}

function describe(e: ErrorObject, src: InventorySource): Diagnostic {
  const path = toPath(e.instancePath);
  const schema = (e.parentSchema ?? {}) as {
    description?: string;
    properties?: Record<string, unknown>;
    patternProperties?: Record<string, unknown>;
    enum?: unknown[];
    'x-hint'?: string;
  };
  const about = schema.description ? ` (${schema.description})` : '';
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return src.diagnostic([...path, missing], `required field \`${missing}\` is missing`, {
        hint: `add \`${missing}:\` here`,
      });
    }
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      // A map keyed by a pattern like ^(a|b|c)$ lists its keys in the pattern.
      const fromPattern = Object.keys(schema.patternProperties ?? {}).flatMap((p) => /^\^\(([\w|-]+)\)\$$/.exec(p)?.[1]?.split('|') ?? []);
      const known = [...Object.keys(schema.properties ?? {}).filter((k) => k !== '$schema'), ...fromPattern];
      const guess = didYouMean(extra, known);
      return src.diagnostic([...path, extra], `unknown field \`${clip(extra)}\``, {
        atKey: true,
        hint: guess ? `did you mean \`${guess}\`?` : known.length ? `allowed here: ${known.join(', ')}` : 'nothing else is allowed here',
      });
    }
    case 'enum': {
      const allowed = (schema.enum ?? []).map(String);
      const value = String(e.data);
      const guess = didYouMean(value, allowed);
      const what = path.includes('roles') ? 'role' : 'value';
      return src.diagnostic(path, `unknown ${what} \`${clip(value)}\``, {
        hint: `${guess ? `did you mean \`${guess}\`? ` : ''}allowed: ${allowed.join(', ')}`,
      });
    }
    case 'type':
      return src.diagnostic(path, `must be ${(e.params as { type: string }).type}, got ${typeOf(e.data)}`, {
        hint: schema.description
          ? `expected ${schema.description}`
          : path.length === 0
            ? 'an inventory is a mapping with cluster:, hosts: and optional defaults:, services:, topics:, jobs:, datasets:'
            : `write ${(e.params as { type: string }).type === 'object' ? 'a mapping (key: value lines)' : `${/^[aeiou]/.test((e.params as { type: string }).type) ? 'an' : 'a'} ${(e.params as { type: string }).type}`} here`,
      });
    case 'pattern':
    case 'minLength':
      return src.diagnostic(path, `invalid value ${quote(e.data)}${about}`, {
        hint: e.keyword === 'pattern' ? (schema['x-hint'] ?? `must match ${(e.params as { pattern: string }).pattern}`) : 'must not be empty',
      });
    case 'minItems':
      return src.diagnostic(path, `needs at least ${(e.params as { limit: number }).limit} item(s)`, {
        hint: 'add an entry to this list',
      });
    case 'uniqueItems':
      return src.diagnostic(path, 'lists the same item twice', { hint: 'remove the duplicate' });
    case 'minimum':
    case 'maximum':
      return src.diagnostic(path, `${e.message ?? 'out of range'}, got ${quote(e.data)}${about}`, {
        hint: 'use a value in range',
      });
    default:
      return src.diagnostic(path, `${e.message ?? 'is invalid'}${about}`);
  }
}

/** Checks the parsed document against the JSON Schema; returns every error, located. */
export function validateSchema(src: InventorySource, data: unknown, components: readonly ComponentSpec[]): Diagnostic[] {
  const validate = validatorFor(components);
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => describe(e, src));
}
