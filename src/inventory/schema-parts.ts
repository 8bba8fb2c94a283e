import { Type, type Static } from '@sinclair/typebox';

// Building blocks of the inventory schema, shared by the frame and by the services' own settings and sections.
// `x-hint` is ours (ajv ignores it): the hint shown when a value fails its pattern.

export const closed = { additionalProperties: false } as const;

export const name = (description: string) =>
  Type.String({
    pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
    description,
    'x-hint': 'use lowercase letters, digits and dashes (a DNS label), e.g. node-1',
  });

export const port = Type.Integer({ minimum: 1, maximum: 65535 });

export const absPath = (description: string) =>
  Type.String({ pattern: '^(/|~/|\\$\\{)', minLength: 1, description, 'x-hint': 'use an absolute path, e.g. /var/lib/pyro' });

/** A string that must be one of `values` (typed as their union). */
export const stringEnum = <const T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description });

export const scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

export const kv = (description: string) => Type.Record(Type.String({ minLength: 1 }), scalar, { description });

export const memory = (description: string) => Type.String({ pattern: '^[0-9]+[kmgKMG]?$', description, 'x-hint': 'a size such as 512m or 2g' });

/** Artifact component ids (kept in sync with src/artifacts/catalog.ts by a unit test). */
export const ARTIFACT_COMPONENTS = ['hadoop', 'kafka', 'spark', 'superset', 'postgresql-jdbc', 'flume', 'nifi', 'logstash'] as const;
const ARTIFACT_PATTERN = `^(${ARTIFACT_COMPONENTS.join('|')})$`;

const SourceKind = Type.Unsafe<'local' | 'url' | 'assemble'>({ type: 'string', enum: ['local', 'url', 'assemble'] });

export const Artifacts = Type.Object(
  {
    sources: Type.Optional(
      Type.Array(SourceKind, {
        minItems: 1,
        uniqueItems: true,
        description: 'where distributions come from, in the order tried (default local, url, assemble)',
      }),
    ),
    localDirs: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: 'dirs holding release archives (e.g. kafka_2.13-4.1.1.tgz), relative to the inventory' }),
    ),
    files: Type.Optional(
      Type.Record(Type.String({ pattern: ARTIFACT_PATTERN }), Type.String({ minLength: 1 }), {
        additionalProperties: false,
        description: 'an archive or unpacked dir per component, e.g. logstash: /srv/logstash-8.15.0-linux-x86_64.tar.gz',
      }),
    ),
    mavenRepo: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description: 'Maven repository for assembly (default Maven Central)',
        'x-hint': 'an http(s) URL, e.g. https://nexus.example.com/repository/maven-public/',
      }),
    ),
    pypiIndex: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'PyPI simple index for assembly (default PyPI)', 'x-hint': 'an http(s) URL ending in /simple' }),
    ),
    versions: Type.Optional(
      Type.Record(Type.String({ pattern: ARTIFACT_PATTERN }), Type.String({ pattern: '^[0-9][0-9A-Za-z.+-]*$' }), {
        additionalProperties: false,
        description: 'pinned version overrides per component',
      }),
    ),
  },
  { ...closed, description: 'where pyro gets distributions (see pyro fetch)' },
);

export type RawArtifacts = Static<typeof Artifacts>;
