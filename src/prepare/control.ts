import { readFileSync } from 'node:fs';
import { osFactsLines, packageFamily, parseFacts, probeLines, type OsRelease } from '../hosts/facts.js';
import { shellQuote } from '../hosts/host.js';
import { LocalHost } from '../hosts/local-host.js';
import { missingNeeds, probesFor, type Need } from './needs.js';
import { needHint, planPackages } from './plan.js';
import { describeResult, resultAfter, resultBefore, type PrepareResult } from './result.js';
import { runPlan } from './run-plan.js';

export interface ControlOptions {
  dryRun?: boolean;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** The JDK Maven runs on (registry option mavenJavaHome); default $JAVA_HOME, else PATH. */
  javaHome?: string;
  /** The interpreter assemblies run pip with (registry option python); default python3. */
  python?: string;
}

/** What pyro needs where it runs to assemble distributions: a JDK 17+ and Maven (mvn), and pip (wheels). */
export function controlNeeds(opts: Pick<ControlOptions, 'javaHome' | 'python'> = {}): Need[] {
  const bin = opts.javaHome ? `J=${shellQuote(`${opts.javaHome}/bin/`)}` : 'J=${JAVA_HOME:+$JAVA_HOME/bin/}';
  const py = opts.python ?? 'python3';
  return [
    {
      id: 'jdk',
      title: 'a JDK 17+ (javac, jar)',
      roles: [],
      what: { kind: 'java', major: 17, jdk: true },
      test: `${bin}; v=$("\${J}javac" -version 2>&1 | sed -n 's/^javac \\([0-9]*\\).*/\\1/p'); [ "\${v:-0}" -ge 17 ] && "\${J}jar" --version`,
    },
    { id: 'maven', title: 'Maven (mvn)', roles: [], what: { kind: 'maven' }, test: 'command -v mvn' },
    { id: 'pip', title: `pip for ${py}`, roles: [], what: { kind: 'pip', interpreter: py }, test: `${shellQuote(py)} -m pip --version` },
  ];
}

function controlScript(needs: readonly Need[]): string {
  return ['LC_ALL=C; export LC_ALL', ...osFactsLines(), ...probeLines(probesFor(needs))].join('\n');
}

/**
 * Prepares the machine pyro runs on the way prepareHost prepares a host: the same plan code, one exec (as root
 * or through sudo -n), then a re-check. Runs nothing when nothing is missing, or in a dry run.
 */
export async function prepareControl(opts: ControlOptions): Promise<PrepareResult> {
  const host = new LocalHost({ name: 'control' });
  const needs = controlNeeds(opts);
  const script = controlScript(needs);
  const first = await host.exec(script, { timeoutMs: 30_000, signal: opts.signal });
  const facts = parseFacts(first.stdout, 0, 0);
  // A JDK named explicitly is used as named: a package would not change what Maven runs on.
  const missing = missingNeeds(needs, facts, {}).map((m) =>
    m.id === 'jdk' && opts.javaHome ? { ...m, blocked: `${opts.javaHome} has no javac 17+ and jar: point the Java home for Maven at a JDK 17+` } : m,
  );
  const plan = planPackages(facts.osRelease, missing);
  const before = resultBefore('control', plan, missing);
  if (before.status !== 'planned' || opts.dryRun) {
    for (const line of describeResult(before)) opts.log(line);
    return before;
  }
  opts.log(`${plan.distro}: missing ${missing.map((m) => m.title).join(', ')}; installing ${plan.packages.join(' ')}`);
  const out = await runPlan(host, plan, script, { signal: opts.signal, log: opts.log });
  const now = parseFacts(out, 0, 0);
  const after = resultAfter(before, plan, facts.osRelease, missingNeeds(needs, now, {}), facts, now, []);
  for (const line of describeResult(after)) opts.log(line);
  return after;
}

/** Parses /etc/os-release text (KEY=value, values optionally quoted). Pure. */
export function parseOsRelease(text: string): OsRelease {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) kv[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  const id = kv.ID ?? '';
  const like = (kv.ID_LIKE ?? '').split(/\s+/).filter(Boolean);
  return { id, versionId: kv.VERSION_ID ?? '', like, family: packageFamily(id, like) };
}

/**
 * The hint for a tool assembly lacks on this machine ('jdk', 'maven' or 'pip'): the exact package for this
 * distribution and the pyro options that install it.
 */
export function controlInstallHint(id: 'jdk' | 'maven' | 'pip', opts: Pick<ControlOptions, 'python'> = {}): string {
  let os: OsRelease;
  try {
    os = parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    os = { id: '', versionId: '', like: [], family: 'none' };
  }
  const need = controlNeeds(opts).find((n) => n.id === id)!;
  return needHint(os, { ...need, found: 'not found' }, 'pyro fetch --prepare or pyro up --prepare');
}
