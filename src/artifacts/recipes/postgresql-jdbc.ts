import type { ArtifactRecipe } from '../types.js';

/** PostgreSQL JDBC 42.7.14: the newest 42.7.x on Maven Central. */
export const POSTGRESQL_JDBC_DEFAULT_VERSION = '42.7.14';

/**
 * The official driver jar on Maven Central and its SHA-512, computed from the file downloaded from Central (whose
 * published .sha1 it matches). Not used as the recipe's `url` yet: a url source is unpacked as an archive, and
 * this is a bare jar that belongs in jars/.
 */
export const POSTGRESQL_JDBC_JARS: Record<string, { url: string; sha512: string }> = {
  '42.7.14': {
    url: 'https://repo.maven.apache.org/maven2/org/postgresql/postgresql/42.7.14/postgresql-42.7.14.jar',
    sha512: '2a7c94c3f86f7ad6cfa16a964fe79dec8b122449679c8bbdb18f7052593349c2d11dd07992034de88d6effd840e2edf5ea8542e947de19905c75677d0dd44abc',
  },
};

/**
 * The PostgreSQL JDBC driver at `version`, as jars/postgresql-X.jar: the one self-contained jar the project ships
 * (its pom's runtime dependency, checker-qual, is annotations only and left out, as in the official download).
 */
export function postgresqlJdbcRecipe(version: string = POSTGRESQL_JDBC_DEFAULT_VERSION): ArtifactRecipe {
  return {
    component: 'postgresql-jdbc',
    version,
    title: 'PostgreSQL JDBC driver',
    assemble: async (ctx) => {
      await ctx.maven([`org.postgresql:postgresql:${version}`], 'jars', { transitive: false });
    },
    requiredPaths: [`jars/postgresql-${version}.jar`],
    javaMin: 8,
  };
}

export default postgresqlJdbcRecipe();
