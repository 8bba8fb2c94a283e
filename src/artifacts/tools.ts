import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { controlInstallHint } from '../prepare/control.js';
import { PyroError } from '../util/errors.js';
import type { AssembleContext } from './types.js';

/** Where assemblies download from: Maven Central and PyPI unless the user names mirrors. */
export interface RegistryOptions {
  /** A Maven repository URL (a mirror of Central, e.g. a Nexus or Artifactory group). */
  mavenRepo?: string;
  /** A PyPI simple index URL. */
  pypiIndex?: string;
  /** Python interpreter whose wheels to build (the hosts' Python). */
  python?: string;
  /** Java home for Maven (default: $JAVA_HOME or the java on PATH). */
  mavenJavaHome?: string;
}

const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

/**
 * The pom for an assembly. A coordinate of type `bom` (`group:artifact:version:bom`) is not a dependency: it is
 * imported into dependencyManagement, so the closure takes the versions (and exclusions) that project tested.
 */
function pom(coords: string[], exclude: string[], transitive: boolean): string {
  const isBom = (c: string) => c.split(':')[3] === 'bom';
  const boms = coords.filter(isBom).map((c) => {
    const [g, a, v] = c.split(':');
    return `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version><type>pom</type><scope>import</scope></dependency>`;
  });
  const deps = coords
    .filter((c) => !isBom(c))
    .map((c) => {
      const [g, a, v, type, classifier] = c.split(':');
      if (!g || !a || !v) throw new PyroError('BAD_COORDINATES', `bad Maven coordinates ${c}`, { hint: 'write group:artifact:version[:type[:classifier]]' });
      const excl = transitive
        ? exclude
            .map((e) => {
              const [eg, ea] = e.split(':');
              return `<exclusion><groupId>${eg}</groupId><artifactId>${ea ?? '*'}</artifactId></exclusion>`;
            })
            .join('')
        : '<exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion>';
      return (
        `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version>` +
        `${type ? `<type>${type}</type>` : ''}${classifier ? `<classifier>${classifier}</classifier>` : ''}` +
        `<exclusions>${excl}</exclusions></dependency>`
      );
    });
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>pyro.assembly</groupId><artifactId>assembly</artifactId><version>1</version><packaging>pom</packaging>
${boms.length ? `<dependencyManagement><dependencies>${boms.join('')}</dependencies></dependencyManagement>` : ''}
<dependencies>${deps.join('\n')}</dependencies></project>
`;
}

function settings(mirror: string): string {
  return `<settings><mirrors><mirror><id>pyro-mirror</id><mirrorOf>*</mirrorOf><url>${mirror}</url></mirror></mirrors></settings>\n`;
}

/** What to install when a tool assembly runs is missing here (the package for this distribution, or by hand). */
function missingToolHint(tool: string): string {
  if (tool === 'mvn') return controlInstallHint('maven');
  if (['java', 'javac', 'jar'].includes(tool)) return controlInstallHint('jdk');
  if (tool.startsWith('python')) return controlInstallHint('pip', { python: tool });
  return `install ${tool} on this machine (it must be on PATH)`;
}

/** An AssembleContext over Maven (mvn dependency:copy-dependencies) and pip, logging to `logFile`. */
export async function assembleContext(
  dir: string,
  scratch: string,
  logFile: string,
  reg: RegistryOptions,
): Promise<AssembleContext & { close(): Promise<void> }> {
  await mkdir(dir, { recursive: true });
  await mkdir(scratch, { recursive: true });
  const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
  let n = 0;
  const run = async (argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) => {
    log.write(`$ ${argv.join(' ')}\n`);
    const child = execa(argv[0]!, argv.slice(1), { cwd: opts.cwd ?? scratch, env: opts.env, reject: false, all: true, stdin: 'ignore' });
    child.all?.pipe(log, { end: false });
    const r = await child;
    const tool = path.basename(argv[0]!);
    if (r.code === 'ENOENT') {
      throw new PyroError('TOOL_MISSING', `${tool} is not installed on this machine (assembling distributions runs it)`, { hint: missingToolHint(tool) });
    }
    if (r.exitCode !== 0) {
      const tail = String(r.all ?? '')
        .split('\n')
        .slice(-15)
        .join('\n');
      // mvn present but no Java under it, or an interpreter without pip: name what to install, not the registry.
      const lacking =
        tool === 'mvn' && /JAVA_HOME|java: not found|Unable to locate a Java/i.test(tail)
          ? 'jdk'
          : tool.startsWith('python') && /No module named pip/.test(tail)
            ? 'pip'
            : undefined;
      if (lacking) {
        throw new PyroError('TOOL_MISSING', `${tool} failed (exit ${r.exitCode}): ${lacking === 'jdk' ? 'no Java for Maven' : `no pip for ${tool}`}\n${tail}`, {
          hint: controlInstallHint(lacking, { python: tool.startsWith('python') ? argv[0] : reg.python }),
        });
      }
      throw new PyroError('ASSEMBLE_FAILED', `${tool} failed (exit ${r.exitCode}): ${argv.slice(1, 4).join(' ')} ...\n${tail}`, {
        hint: `see the full log in ${logFile}; check that the registry is reachable${reg.mavenRepo || reg.pypiIndex ? ' (mirror configured)' : ''}`,
      });
    }
  };
  const listNew = async (d: string) => (await readdir(d)).sort();
  return {
    dir,
    scratch,
    log: (line) => log.write(`${line}\n`),
    run,
    async write(rel, content, mode = 0o644) {
      const p = path.join(dir, rel);
      await mkdir(path.dirname(p), { recursive: true });
      await writeFile(p, content, { mode });
    },
    async maven(coords, into, opts = {}) {
      const work = path.join(scratch, `maven-${++n}`);
      await mkdir(work, { recursive: true });
      await writeFile(path.join(work, 'pom.xml'), pom(coords, opts.exclude ?? [], opts.transitive ?? true));
      const out = path.join(dir, into);
      await mkdir(out, { recursive: true });
      const args = ['mvn', '-B', '-q', '-f', path.join(work, 'pom.xml')];
      if (reg.mavenRepo) {
        await writeFile(path.join(work, 'settings.xml'), settings(reg.mavenRepo));
        args.push('-s', path.join(work, 'settings.xml'));
      }
      args.push(`${DEPENDENCY_PLUGIN}:copy-dependencies`, `-DoutputDirectory=${out}`, '-DincludeScope=runtime', '-Dmdep.overWriteReleases=true');
      await run(args, { cwd: work, env: reg.mavenJavaHome ? { JAVA_HOME: reg.mavenJavaHome } : undefined });
      return listNew(out);
    },
    async pipWheel(requirements, into, opts = {}) {
      const out = path.join(dir, into);
      await mkdir(out, { recursive: true });
      const py = opts.python ?? reg.python ?? 'python3';
      const args = [py, '-m', 'pip', 'wheel', '--disable-pip-version-check', '-q', '-w', out];
      if (reg.pypiIndex) args.push('--index-url', reg.pypiIndex);
      if (opts.noDeps) args.push('--no-deps');
      await run([...args, ...requirements]);
      return listNew(out);
    },
    async pipDownload(requirements, into, opts = {}) {
      const out = path.isAbsolute(into) ? into : path.join(dir, into);
      await mkdir(out, { recursive: true });
      const args = [reg.python ?? 'python3', '-m', 'pip', 'download', '--disable-pip-version-check', '-q', '-d', out];
      if (reg.pypiIndex) args.push('--index-url', reg.pypiIndex);
      if (opts.noDeps) args.push('--no-deps');
      await run([...args, ...requirements]);
      return listNew(out);
    },
    close: () => new Promise<void>((resolve) => log.end(resolve)),
  };
}
