import { instancesOn, listenPorts } from '../inventory/resolve.js';
import type { HostSpec, Inventory } from '../inventory/types.js';
import type { HostFacts } from '../hosts/facts.js';
import { hostNeeds, missingNeeds } from '../prepare/needs.js';
import { needHint } from '../prepare/plan.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  host: string;
  check: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

/** Free space pyro wants before it unpacks distributions and writes data (MiB). */
export const DISK_NEEDS_MB = { install: 3072, data: 2048, log: 512 } as const;
/** Headroom left to the OS and page cache on top of what the roles need (MiB). */
export const OS_RESERVE_MB = 512;
export const CLOCK_WARN_MS = 1000;
export const CLOCK_FAIL_MS = 30_000;

const mb = (n: number) => (n >= 1024 ? `${(n / 1024).toFixed(1)} GiB` : `${n} MiB`);

/** Judges one host's facts against what its roles need. Pure: unit-tested without hosts. */
/** `running`: roles pyro itself runs on the host now (their ports are theirs, not a clash). */
export function evaluateHost(inv: Inventory, spec: HostSpec, facts: HostFacts, running: ReadonlySet<string> = new Set()): CheckResult[] {
  const out: CheckResult[] = [];
  const add = (check: string, status: CheckStatus, detail: string, hint?: string) =>
    out.push({ host: spec.name, check, status, detail, ...(status === 'ok' ? {} : { hint }) });
  const instances = instancesOn(inv, spec);
  // What is missing and how to get it comes from the same code `pyro up --prepare` installs with.
  const hostNeedList = hostNeeds(inv, spec);
  const missing = missingNeeds(hostNeedList, facts, spec);
  const hintFor = (id: string, fallback: string) => {
    const m = missing.find((n) => n.id === id);
    return m ? needHint(facts.osRelease, m) : fallback;
  };

  add('os', facts.os === 'Linux' ? 'ok' : 'fail', `${facts.distro || facts.os} ${facts.arch}`.trim(), 'pyro supports Linux hosts only');
  if (facts.os === 'Linux' && !['x86_64', 'aarch64', 'amd64', 'arm64'].includes(facts.arch)) {
    add('arch', 'warn', `${facts.arch} is untested`, 'x86_64 and aarch64 are the tested architectures');
  }

  const javaCheck = (label: string, tool: HostFacts['java'], roles: string[], need: number, setting: string) => {
    if (!roles.length) return;
    const who = roles.join(', ');
    const hint = hintFor(label, `install a JDK ${need}+ and set ${setting} in the inventory`);
    if (tool.major === undefined) {
      add(label, 'fail', `no Java at ${tool.path} (needed by ${who})`, hint);
    } else if (tool.major < need) {
      add(label, 'fail', `Java ${tool.version} at ${tool.path}; ${who} need ${need}+`, hint);
    } else {
      add(label, 'ok', `Java ${tool.version} (${tool.path})`);
    }
  };
  const jvm = instances.filter((i) => i.def.javaMin !== undefined);
  const j17 = jvm.filter((i) => i.def.javaMin! < 21);
  const j21 = jvm.filter((i) => i.def.javaMin! >= 21);
  javaCheck(
    'java',
    facts.java,
    j17.map((i) => i.def.role),
    Math.max(17, ...j17.map((i) => i.def.javaMin!)),
    'javaHome',
  );
  javaCheck(
    'java21',
    facts.java21,
    j21.map((i) => i.def.role),
    21,
    'java21Home',
  );

  const py = instances.filter((i) => i.def.pythonMin);
  if (py.length) {
    const need = py
      .map((i) => i.def.pythonMin!)
      .sort()
      .at(-1)!;
    const [nMaj, nMin] = need.split('.').map(Number) as [number, number];
    const who = py.map((i) => i.def.role).join(', ');
    const p = facts.python;
    const hint = hintFor('python', `install Python ${need}+ or set python: in the inventory`);
    if (p.major === undefined) add('python', 'fail', `no ${p.path} (needed by ${who})`, hint);
    else if (p.major < nMaj || (p.major === nMaj && (p.minor ?? 0) < nMin)) {
      add('python', 'fail', `Python ${p.version} at ${p.path}; ${who} need ${need}+`, hint);
    } else add('python', 'ok', `Python ${p.version} (${p.path})`);
    // Without an interpreter the python row has said it all. pyro's own venvs are made --without-pip, so a
    // missing ensurepip (Debian's python3-venv) is a warning: plain `python3 -m venv` fails, pyro's setup does not.
    const v = facts.pythonVenv;
    const venvHint = hintFor('python-venv', `install the venv module for ${p.path}`);
    if (p.major !== undefined && v) {
      if (!v.venv) add('python-venv', 'fail', `${p.path} has no venv module (needed by ${who})`, venvHint);
      else if (!v.ensurepip) add('python-venv', 'warn', `${p.path} -m venv fails: no ensurepip`, venvHint);
      else add('python-venv', 'ok', `${p.path} -m venv works`);
    }
  }

  // Each service's host packages, as probed by the facts script (no row when the caller did not probe).
  for (const need of hostNeedList.filter((n) => n.test && facts.probes[n.id] !== undefined)) {
    const who = need.roles.join(', ');
    if (facts.probes[need.id]) add(need.id, 'ok', `${need.title} present`);
    else add(need.id, 'fail', `no ${need.title} (needed by ${who})`, hintFor(need.id, `install ${need.title}`));
  }

  const needs: Record<string, number> = {
    install: DISK_NEEDS_MB.install + [...new Set(instances.map((i) => i.def))].reduce((n, d) => n + (d.installDiskMb ?? 0), 0),
    data: DISK_NEEDS_MB.data,
    log: DISK_NEEDS_MB.log,
  };
  for (const [label, need] of Object.entries(needs)) {
    const d = facts.disk[label];
    const dir = label === 'install' ? spec.installDir : label === 'data' ? spec.dataDir : spec.logDir;
    if (!d) add(`disk:${label}`, 'fail', `could not measure free space for ${dir}`, 'check that df works on the host');
    else if (d.freeMb < need)
      add(`disk:${label}`, 'fail', `${mb(d.freeMb)} free for ${dir} (on ${d.path}); need ${mb(need)}`, `free space or point ${label}Dir at a bigger disk`);
    else add(`disk:${label}`, 'ok', `${mb(d.freeMb)} free for ${dir}`);
  }

  const memNeed = instances.reduce((s, i) => s + i.heapMb + i.def.extraMemoryMb, OS_RESERVE_MB);
  const memDetail = `${mb(facts.memTotalMb)} total, ${mb(facts.memAvailableMb)} available; roles need ${mb(memNeed)}`;
  if (facts.memTotalMb < memNeed) add('memory', 'fail', memDetail, 'lower the heaps under services:, or move roles to other hosts');
  else if (facts.memAvailableMb < memNeed) add('memory', 'warn', memDetail, 'other processes use the memory the roles need');
  else add('memory', 'ok', memDetail);

  const busy = new Set(facts.listening);
  const clashes: string[] = [];
  let ours = 0;
  // The facts list TCP listeners only.
  const tcpPorts = (inst: (typeof instances)[number]) => listenPorts(inst).filter((p) => p.protocol === 'tcp');
  for (const inst of instances) {
    if (running.has(inst.def.role)) {
      ours += tcpPorts(inst).length;
      continue;
    }
    for (const p of tcpPorts(inst)) if (busy.has(p.port)) clashes.push(`${p.port} (${inst.def.role} ${p.name})`);
  }
  const portCount = instances.reduce((s, i) => s + tcpPorts(i).length, 0);
  const oursNote = ours ? `, ${ours} held by pyro's own running services` : '';
  if (clashes.length) {
    add(
      'ports',
      'fail',
      `already in use: ${clashes.join(', ')}${oursNote}`,
      `stop what listens there (ss -ltnp) or change the port under services: in ${inv.file}`,
    );
  } else if (portCount) add('ports', 'ok', `${portCount - ours} port${portCount - ours === 1 ? '' : 's'} free${oursNote}`);

  const skew = Math.round(facts.clockSkewMs);
  const abs = Math.abs(skew);
  const skewDetail = `${skew >= 0 ? '+' : ''}${skew} ms against this machine`;
  if (abs > CLOCK_FAIL_MS) add('clock', 'fail', skewDetail, 'run NTP (chrony or systemd-timesyncd) on every host');
  else if (abs > CLOCK_WARN_MS) add('clock', 'warn', skewDetail, 'run NTP (chrony or systemd-timesyncd) on every host');
  else add('clock', 'ok', skewDetail);

  return out;
}
