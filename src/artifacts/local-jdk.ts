import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PyroError } from '../util/errors.js';

/** The environment variable naming a Java 21+ home on the machine pyro runs on (NiFi 2's tests and assembly). */
export const JAVA21_HOME_ENV = 'PYRO_JAVA21_HOME';

export interface LocalJdk {
  home: string;
  major: number;
}

/** The major version in a JDK's `release` file (JAVA_VERSION="25.0.1" is 25, "1.8.0_392" is 8), 0 when unknown. */
export function releaseMajor(releaseText: string): number {
  const v = /^JAVA_VERSION="([^"]+)"/m.exec(releaseText)?.[1];
  if (!v) return 0;
  const [first, second] = v.split(/[._-]/).map(Number);
  return first === 1 ? (second ?? 0) : (first ?? 0);
}

function inspect(home: string, compiler: boolean): LocalJdk | undefined {
  const release = path.join(home, 'release');
  if (!existsSync(path.join(home, 'bin', 'java')) || !existsSync(release)) return undefined;
  if (compiler && !['javac', 'jar'].every((t) => existsSync(path.join(home, 'bin', t)))) return undefined;
  return { home, major: releaseMajor(readFileSync(release, 'utf8')) };
}

/**
 * A Java `min`+ on this machine: $PYRO_JAVA21_HOME when set (used only if it qualifies), else the newest under
 * `jvmDir` (/usr/lib/jvm). `compiler` asks for a JDK with javac and jar, not a runtime alone.
 */
export function findLocalJdk(min: number, opts: { compiler?: boolean; jvmDir?: string; env?: NodeJS.ProcessEnv } = {}): LocalJdk | undefined {
  const compiler = opts.compiler ?? false;
  const named = (opts.env ?? process.env)[JAVA21_HOME_ENV];
  if (named) {
    const jdk = inspect(named, compiler);
    return jdk && jdk.major >= min ? jdk : undefined;
  }
  const dir = opts.jvmDir ?? '/usr/lib/jvm';
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir)
    .map((d) => inspect(path.join(dir, d), compiler))
    .filter((j): j is LocalJdk => j !== undefined && j.major >= min)
    .sort((a, b) => b.major - a.major)[0];
}

/**
 * findLocalJdk with a compiler, or an error naming what to install or set; `purpose` says what needs it. The advice
 * is in the message's first line too: an assembly's failure is reported by that line alone.
 */
export function requireLocalJdk(min: number, purpose: string, opts: { jvmDir?: string; env?: NodeJS.ProcessEnv } = {}): LocalJdk {
  const jdk = findLocalJdk(min, { ...opts, compiler: true });
  if (jdk) return jdk;
  const named = (opts.env ?? process.env)[JAVA21_HOME_ENV];
  const where = named ? `$${JAVA21_HOME_ENV} (${named}) is not one` : `none under ${opts.jvmDir ?? '/usr/lib/jvm'} and $${JAVA21_HOME_ENV} is not set`;
  const hint =
    `install a JDK ${min} or newer under /usr/lib/jvm (openjdk-${min}-jdk-headless where the distribution packages it, ` +
    `or Temurin ${min}+), or set ${JAVA21_HOME_ENV} to its home`;
  throw new PyroError('TOOL_MISSING', `${purpose} needs a JDK ${min}+ with javac and jar on this machine (${where}): ${hint}`, { hint });
}
