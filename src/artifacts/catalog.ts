import flume, { flumeRecipe } from './recipes/flume.js';
import hadoop, { hadoopRecipe } from './recipes/hadoop.js';
import kafka, { kafkaRecipe } from './recipes/kafka.js';
import logstash, { logstashRecipe } from './recipes/logstash.js';
import nifi, { nifiRecipe } from './recipes/nifi.js';
import postgresqlJdbc, { postgresqlJdbcRecipe } from './recipes/postgresql-jdbc.js';
import spark, { sparkRecipe } from './recipes/spark.js';
import superset, { supersetRecipe } from './recipes/superset.js';
import type { ArtifactRecipe } from './types.js';

interface CatalogEntry {
  /** The pinned version. */
  defaultVersion: string;
  recipe: (version: string) => ArtifactRecipe;
}

/** Every distribution pyro can obtain, by component id, with its pinned version. */
export const CATALOG: Record<string, CatalogEntry> = {
  hadoop: { defaultVersion: hadoop.version, recipe: hadoopRecipe },
  kafka: { defaultVersion: kafka.version, recipe: kafkaRecipe },
  spark: { defaultVersion: spark.version, recipe: sparkRecipe },
  superset: { defaultVersion: superset.version, recipe: supersetRecipe },
  'postgresql-jdbc': { defaultVersion: postgresqlJdbc.version, recipe: postgresqlJdbcRecipe },
  flume: { defaultVersion: flume.version, recipe: flumeRecipe },
  nifi: { defaultVersion: nifi.version, recipe: nifiRecipe },
  logstash: { defaultVersion: logstash.version, recipe: logstashRecipe },
};

/** Components the control machine itself uses (spark-submit and the jobs' JDBC driver), pushed nowhere. */
export const CONTROL_COMPONENTS = ['spark', 'postgresql-jdbc'] as const;

/** The recipe for a component at a version (the pinned one unless given). */
export function recipeFor(component: string, version?: string): ArtifactRecipe {
  const entry = CATALOG[component];
  if (!entry) throw new Error(`unknown artifact component ${component}`);
  return entry.recipe(version ?? entry.defaultVersion);
}
