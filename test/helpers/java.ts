import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A JDK 21+ for NiFi 2: $PYRO_JAVA21_HOME, else the newest under /usr/lib/jvm (Temurin 25 here, see STACK-NOTES). */
export function findJava21(): string {
  if (process.env.PYRO_JAVA21_HOME) return process.env.PYRO_JAVA21_HOME;
  const found = readdirSync('/usr/lib/jvm')
    .map((d) => {
      const release = path.join('/usr/lib/jvm', d, 'release');
      const m = existsSync(release) ? /JAVA_VERSION="(\d+)/.exec(readFileSync(release, 'utf8')) : null;
      return { home: path.join('/usr/lib/jvm', d), major: m ? Number(m[1]) : 0 };
    })
    .filter((j) => j.major >= 21)
    .sort((a, b) => b.major - a.major);
  return found[0]?.home ?? '/usr/lib/jvm/(no JDK 21+ found)';
}
