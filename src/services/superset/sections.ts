import { Type, type Static } from '@sinclair/typebox';
import { closed } from '../../inventory/schema-parts.js';
import type { Inventory } from '../../inventory/types.js';

const Dataset = Type.Object(
  {
    table: Type.String({
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      description: 'table in the serving database',
      'x-hint': 'a plain SQL identifier, e.g. clicks_per_minute',
    }),
    schema: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'default public; the lake database for spark-sql' })),
    description: Type.Optional(Type.String()),
    database: Type.Optional(
      Type.String({ minLength: 1, description: 'a name under databases: (default the serving store), or spark-sql: the Spark SQL server (the lake)' }),
    ),
  },
  closed,
);

const Database = Type.Object(
  {
    name: Type.String({
      pattern: '^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,63}$',
      description: "the database's name in Superset; without uri, the serving store (services.postgresql.database)",
      'x-hint': 'letters, digits, spaces and . _ - only, e.g. warehouse',
    }),
    uri: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9+]*://',
        description: 'SQLAlchemy URI without the password, e.g. postgresql+psycopg2://reader@db.example.com:5432/sales',
        'x-hint': 'a SQLAlchemy URI such as postgresql+psycopg2://user@host:5432/db (the password goes in passwordEnv)',
      }),
    ),
    passwordEnv: Type.Optional(
      Type.String({
        pattern: '^[A-Z_][A-Z0-9_]*$',
        description: 'environment variable holding the password (never written to the inventory or the state)',
        'x-hint': 'an environment variable name, e.g. WAREHOUSE_PASSWORD',
      }),
    ),
  },
  closed,
);

const Dashboard = Type.Object(
  {
    template: Type.String({
      minLength: 1,
      description: 'a Superset export bundle unpacked into a dir (metadata.yaml, charts/, dashboards/, datasets/), relative to the inventory',
    }),
  },
  closed,
);

/** Top-level sections Superset owns: what it is told to register. */
export const SUPERSET_SECTIONS = {
  databases: Type.Array(Database, { description: 'databases Superset queries (default: the serving store alone)' }),
  datasets: Type.Array(Dataset, { description: 'tables Superset registers as datasets' }),
  dashboards: Type.Array(Dashboard, { description: 'Superset dashboards provisioned over the datasets' }),
};

export type DatasetEntry = Static<typeof Dataset>;
export type DatabaseEntry = Static<typeof Database>;
export type DashboardEntry = Static<typeof Dashboard>;

/** `databases:` as written, or undefined when the inventory leaves it out (then: the serving store alone). */
export function databasesOf(inv: Inventory): DatabaseEntry[] | undefined {
  return inv.sections.databases as DatabaseEntry[] | undefined;
}

export function datasetsOf(inv: Inventory): DatasetEntry[] {
  return (inv.sections.datasets as DatasetEntry[] | undefined) ?? [];
}

export function dashboardsIn(inv: Inventory): DashboardEntry[] {
  return (inv.sections.dashboards as DashboardEntry[] | undefined) ?? [];
}
