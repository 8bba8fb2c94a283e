import { findLocalJdk } from '../../src/artifacts/local-jdk.js';

/** A Java 21+ for NiFi 2: $PYRO_JAVA21_HOME, else the newest under /usr/lib/jvm (Temurin 25 here, see STACK-NOTES). */
export function findJava21(): string {
  return findLocalJdk(21)?.home ?? process.env.PYRO_JAVA21_HOME ?? '/usr/lib/jvm/(no JDK 21+ found)';
}
