import type { HostSpec } from '../inventory/types.js';
import type { Host } from './host.js';
import { shellQuote } from './host.js';

/** What pyro learns about a host in one round trip. */
export interface HostFacts {
  os: string;
  arch: string;
  distro: string;
  cpus: number;
  memTotalMb: number;
  memAvailableMb: number;
  /** Java found for `javaHome` (or on PATH). */
  java: ToolFacts;
  /** Java found for `java21Home` (or the same as java when unset). */
  java21: ToolFacts;
  python: ToolFacts;
  /** Free space by label (install, data, log): the nearest existing dir and its free MiB. */
  disk: Record<string, { path: string; freeMb: number }>;
  /** TCP ports something listens on. */
  listening: number[];
  /** Host clock minus ours, in ms, and the round trip that bounds its error. */
  clockSkewMs: number;
  rttMs: number;
}

export interface ToolFacts {
  path: string;
  /** Version string as reported, or undefined when missing. */
  version?: string;
  /** Major version number (Java: 17; Python: 3). */
  major?: number;
  minor?: number;
}

/** The shell script that gathers facts; section lines start with '@'. Exported for tests. */
export function factsScript(spec: HostSpec): string {
  const java = spec.javaHome ? `${spec.javaHome}/bin/java` : 'java';
  const java21 = spec.java21Home ? `${spec.java21Home}/bin/java` : java;
  return [
    // Time first: its line is stamped on arrival (see gatherFacts), which bounds the skew's error by one-way latency.
    'echo "@time $(date +%s%3N)"',
    'LC_ALL=C; export LC_ALL',
    'existing() { d=$1; while [ ! -e "$d" ] && [ "$d" != / ]; do d=$(dirname "$d"); done; printf %s "$d"; }',
    'echo "@os $(uname -s) $(uname -m)"',
    'echo "@distro $( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || uname -sr)"',
    'echo "@cpus $(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)"',
    `echo "@mem $(awk '/^MemTotal:/{t=$2} /^MemAvailable:/{a=$2} END{print t, a}' /proc/meminfo)"`,
    `j=${shellQuote(java)}; echo "@java $j $( "$j" -version 2>&1 | head -n 1 || true)"`,
    `j=${shellQuote(java21)}; echo "@java21 $j $( "$j" -version 2>&1 | head -n 1 || true)"`,
    `p=${shellQuote(spec.python)}; echo "@python $p $( "$p" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || echo missing)"`,
    ...(['install', spec.installDir, 'data', spec.dataDir, 'log', spec.logDir] as const)
      .reduce<string[][]>((acc, v, i, arr) => (i % 2 ? acc : [...acc, [v, arr[i + 1]!]]), [])
      .map(([label, dir]) => `d=$(existing ${shellQuote(dir!)}); echo "@df ${label} $d $(df -Pk "$d" | awk 'NR==2{print $4}')"`),
    `awk 'NR>1 && $4=="0A" {n=split($2,a,":"); print "@listen " a[n]}' /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u`,
  ].join('\n');
}

function parseJava(path: string, line: string): ToolFacts {
  const m = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(line);
  if (!m) return { path };
  // Java 8 and older report 1.8: the major is the second number.
  const major = m[1] === '1' ? Number(m[2]) : Number(m[1]);
  return { path, version: /version "([^"]+)"/.exec(line)![1], major };
}

/** Parses the script's output; `timeArrivedMs` is our clock when the @time line arrived. */
export function parseFacts(out: string, localStartMs: number, localEndMs: number, timeArrivedMs = localEndMs): HostFacts {
  const f: HostFacts = {
    os: '', arch: '', distro: '', cpus: 0, memTotalMb: 0, memAvailableMb: 0,
    java: { path: 'java' }, java21: { path: 'java' }, python: { path: 'python3' },
    disk: {}, listening: [], clockSkewMs: 0, rttMs: localEndMs - localStartMs,
  };
  for (const line of out.split('\n')) {
    const m = /^@(\w+) ?(.*)$/.exec(line);
    if (!m) continue;
    const [, key, rest = ''] = m;
    const words = rest.split(' ');
    switch (key) {
      case 'os': [f.os = '', f.arch = ''] = words; break;
      case 'distro': f.distro = rest; break;
      case 'cpus': f.cpus = Number(words[0]) || 0; break;
      case 'mem':
        f.memTotalMb = Math.floor(Number(words[0]) / 1024) || 0;
        f.memAvailableMb = Math.floor(Number(words[1]) / 1024) || 0;
        break;
      case 'java': f.java = parseJava(words[0]!, words.slice(1).join(' ')); break;
      case 'java21': f.java21 = parseJava(words[0]!, words.slice(1).join(' ')); break;
      case 'python': {
        const v = words[1];
        const pm = v ? /^(\d+)\.(\d+)/.exec(v) : null;
        f.python = pm ? { path: words[0]!, version: v, major: Number(pm[1]), minor: Number(pm[2]) } : { path: words[0]! };
        break;
      }
      case 'df': f.disk[words[0]!] = { path: words[1]!, freeMb: Math.floor(Number(words[2]) / 1024) || 0 }; break;
      case 'listen': f.listening.push(parseInt(words[0]!, 16)); break;
      case 'time': {
        const remote = Number(words[0]);
        if (Number.isFinite(remote)) f.clockSkewMs = remote - timeArrivedMs;
        break;
      }
    }
  }
  f.listening = [...new Set(f.listening)].sort((a, b) => a - b);
  return f;
}

/** Gathers facts with one remote command. */
export async function gatherFacts(host: Host, spec: HostSpec, signal?: AbortSignal): Promise<HostFacts> {
  const start = Date.now();
  let arrived: number | undefined;
  const res = await host.exec(factsScript(spec), {
    timeoutMs: 30_000,
    signal,
    onStdout: () => { arrived ??= Date.now(); },
  });
  const end = Date.now();
  return parseFacts(res.stdout, start, end, arrived ?? end);
}
