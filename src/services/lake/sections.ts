import { Type, type Static } from '@sinclair/typebox';
import { closed } from '../../inventory/schema-parts.js';
import type { Inventory } from '../../inventory/types.js';
import { DURATION_PATTERN } from '../../util/duration.js';

const duration = (description: string, example: string) => Type.String({ pattern: DURATION_PATTERN, description, 'x-hint': `a duration such as "${example}"` });

const Table = Type.Object(
  {
    name: Type.String({
      pattern: '^[a-z][a-z0-9_]{0,62}$',
      description: 'table name: lower case, digits and _ (also its SQL name and its dir /lake/<name>)',
      'x-hint': 'e.g. events_raw: lower case letters, digits and _, starting with a letter',
    }),
    topic: Type.Optional(
      Type.String({ minLength: 1, description: 'archive this topic’s raw records (pyro’s archive job); leave out for a table a job of yours writes' }),
    ),
    retention: Type.Optional(duration('partitions older than this are dropped (default 30 days)', '30 days')),
    trigger: Type.Optional(duration('time between the archive job’s micro-batches (default 30 seconds)', '30 seconds')),
  },
  closed,
);

/** Top-level sections the lake owns. */
export const LAKE_SECTIONS = { lake: Type.Array(Table, { description: 'tables of the HDFS data lake, under /lake/<name>, partitioned by day and hour' }) };

export type LakeTable = Static<typeof Table>;

/** The `lake:` section as written (validated). */
export function lakeTablesOf(inv: Inventory): LakeTable[] {
  return (inv.sections.lake as LakeTable[] | undefined) ?? [];
}
