import { Type } from '@sinclair/typebox';

// Building blocks of the inventory schema, shared by the frame and by the services' own settings and sections.
// `x-hint` is ours (ajv ignores it): the hint shown when a value fails its pattern.

export const closed = { additionalProperties: false } as const;

export const name = (description: string) =>
  Type.String({ pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$', description, 'x-hint': 'use lowercase letters, digits and dashes (a DNS label), e.g. node-1' });

export const port = Type.Integer({ minimum: 1, maximum: 65535 });

export const absPath = (description: string) =>
  Type.String({ pattern: '^(/|~/|\\$\\{)', minLength: 1, description, 'x-hint': 'use an absolute path, e.g. /var/lib/pyro' });

export const scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

export const kv = (description: string) => Type.Record(Type.String({ minLength: 1 }), scalar, { description });

export const memory = (description: string) =>
  Type.String({ pattern: '^[0-9]+[kmgKMG]?$', description, 'x-hint': 'a size such as 512m or 2g' });
