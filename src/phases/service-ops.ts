import { shellQuote as q } from '../hosts/host.js';
import { HostError } from '../util/errors.js';
import { runOnHosts, valuesOrThrow } from '../hosts/parallel.js';
import type { Desired } from './desired.js';
import { HOST_PRELUDE, parseLines, shJoin } from './host-sh.js';
import { hostOf, probeContext, say, sleep, type Session } from './session.js';
import { parseState, stateLine } from './host-state.js';

/** The sh line stopping an instance: by pid file (TERM, then KILL after its grace period), or through systemd. */
function stopLine(d: Desired): string {
  const role = q(d.inst.def.role);
  return d.unit ? `pyro_sd_stop ${role} ${q(d.unit)}` : `pyro_stop ${role} ${q(d.paths.pidFile)} ${q(d.marker)} ${d.runtime.stopGraceSec}`;
}

/** Writes every changed file of a host's instances in one exec, each atomically. */
export async function writeFiles(s: Session, hostName: string, files: { path: string; content: string; mode?: string }[]): Promise<void> {
  if (!files.length) return;
  const script = [
    HOST_PRELUDE,
    'set -e',
    ...files.map(
      (f) =>
        `pyro_put ${q(f.path)} ${f.mode ?? '644'} <<'PYRO_EOF'\n${Buffer.from(f.content)
          .toString('base64')
          .replace(/.{1,76}/g, '$&\n')}PYRO_EOF`,
    ),
    'echo @written',
  ].join('\n');
  const r = await hostOf(s, hostName).exec('sh -s', { stdin: script, timeoutMs: 60_000, signal: s.signal });
  if (r.exitCode !== 0 || !r.stdout.includes('@written')) {
    throw new HostError('CONFIG_WRITE_FAILED', hostName, `writing config files on ${hostName} failed: ${(r.stderr || r.stdout).trim().slice(0, 500)}`, {
      hint: 'check free space and that the SSH user may write the install dir; files already there were left as they were',
    });
  }
}

/** The last lines of an instance's logs, read from its host. */
export async function logTail(s: Session, d: Desired): Promise<string> {
  const role = d.inst.def.role;
  const r = await hostOf(s, d.inst.host.name)
    .exec('sh -s', { stdin: `${HOST_PRELUDE}\npyro_tail ${q(role)} ${d.logFiles.map(q).join(' ')}`, timeoutMs: 20_000 })
    .catch((e: Error) => ({ stdout: '', stderr: e.message, exitCode: 1 }));
  const lines = parseLines(r.stdout)
    .filter((l) => l.kind === 'log')
    .map((l) => l.rest);
  return lines.length ? lines.join('\n') : '(no log output)';
}

function failure(d: Desired, what: string, tail: string, hint: string): HostError {
  const host = d.inst.host.name;
  return new HostError('SERVICE_FAILED', host, `${d.inst.def.role} on ${host}: ${what}\nlog: ${d.logFiles[0]}\n${tail}`, { hint });
}

/** Formats (once), stops (for a restart) and starts an instance, in one exec on its host. */
export async function startInstance(s: Session, d: Desired, opts: { restart: boolean; format: boolean }): Promise<void> {
  const role = d.inst.def.role;
  const p = d.paths;
  const steps = [HOST_PRELUDE];
  // Before the stop: a start that cannot work leaves the running process alone.
  if (d.preStart) steps.push(d.preStart.sh);
  if (opts.restart) steps.push(stopLine(d));
  if (d.format) steps.push(`pyro_format ${q(role)} ${q(d.format.dir)} ${q(d.format.done)} ${q(`${p.logs}/format.log`)} ${shJoin(d.format.argv)} || exit 0`);
  steps.push(
    d.unit
      ? `pyro_sd_start ${q(role)} ${q(p.conf)} ${q(p.logs)} ${q(d.unit)} ${q(p.hashFile)} ${q(d.hash)} ${d.ports.join(' ')}`
      : `pyro_start ${q(role)} ${q(p.conf)} ${q(p.logs)} ${q(p.pidFile)} ${q(p.hashFile)} ${q(d.marker)} ${q(d.hash)} ${d.ports.join(' ')}`,
  );
  // A post-start step runs only when this exec started the process (`@started`), never on one already running.
  if (d.postStart) steps.push(`out=$(${steps.pop()!}); echo "$out"\ncase "$out" in *@started*)\n${d.postStart}\n;; esac`);
  const r = await hostOf(s, d.inst.host.name).exec('sh -s', { stdin: steps.join('\n'), timeoutMs: (d.runtime.stopGraceSec + 240) * 1000, signal: s.signal });
  const lines = parseLines(r.stdout);
  const fail = lines.find((l) => l.kind === 'fail');
  if (fail) {
    const logs = lines
      .filter((l) => l.kind === 'log')
      .map((l) => l.rest)
      .join('\n');
    const dataHint = fail.rest.includes('holds files')
      ? 'pyro never formats a dir holding data: point the role at an empty dir, or move the files away'
      : undefined;
    const portHint = fail.rest.includes('in use') ? 'stop whatever listens there, or give the role another port in the inventory' : undefined;
    // The pre-start checks run before anything else prints: a fail with nothing started or stopped is theirs.
    const preHint = d.preStart && !lines.some((l) => ['stopped', 'format', 'started', 'running'].includes(l.kind)) ? d.preStart.hint : undefined;
    throw new HostError('SERVICE_START_FAILED', d.inst.host.name, `${role} on ${d.inst.host.name}: ${fail.rest}${logs ? `\n${logs}` : ''}`, {
      hint: preHint ?? dataHint ?? portHint ?? `see \`pyro logs ${role} --host ${d.inst.host.name}\``,
    });
  }
  if (r.exitCode !== 0 || !lines.some((l) => l.kind === 'started' || l.kind === 'running')) {
    throw new HostError(
      'SERVICE_START_FAILED',
      d.inst.host.name,
      `${role} on ${d.inst.host.name}: the start script failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`,
      {
        hint: `check that the SSH user may write ${d.paths.logs} and ${d.inst.host.dataDir}/run; \`pyro logs ${role} --host ${d.inst.host.name} --out\` shows the process's output`,
      },
    );
  }
  for (const l of lines) {
    if (l.kind === 'format' && l.words[1] === 'done') say(s, d.inst.host.name, `${role}: formatted ${d.format!.dir}`);
    if (l.kind === 'stopped') say(s, d.inst.host.name, `${role}: stopped (${l.words[1]})`);
    if (l.kind === 'started') say(s, d.inst.host.name, `${role}: started (pid ${l.words[1]})`);
  }
}

/** Whether the instance's process is still alive. */
async function alive(s: Session, d: Desired): Promise<boolean> {
  try {
    const r = await hostOf(s, d.inst.host.name).exec('sh -s', {
      stdin: `${HOST_PRELUDE}\n${stateLine(d)}`,
      timeoutMs: 20_000,
      signal: s.signal,
    });
    return parseState(r.stdout, []).services[d.inst.def.role]?.state === 'running';
  } catch (e) {
    // A host too busy to answer (many services starting at once) is not a dead process: readiness keeps waiting,
    // until its own deadline. A host that stopped answering altogether stops the run through the session.
    if (e instanceof HostError && e.code === 'EXEC_TIMEOUT') return true;
    throw e;
  }
}

/**
 * Polls the instance's ready probe until it passes; fails early, with its log, when the process exits, and after
 * the session's timeout otherwise. Returns the seconds it took.
 */
export async function waitReady(s: Session, d: Desired, since = Date.now(), opts: { silentIfReady?: boolean } = {}): Promise<number> {
  const deadline = since + s.readyTimeoutSec * 1000;
  let last: string;
  for (let i = 0; ; i++) {
    const r = await d.runtime.ready(d.inst, probeContext(s));
    if (r.ok) {
      const secs = (Date.now() - since) / 1000;
      if (!(opts.silentIfReady && i === 0)) say(s, d.inst.host.name, `${d.inst.def.role}: ready in ${secs.toFixed(1)} s (${r.detail})`);
      return secs;
    }
    last = r.detail;
    if (i % 3 === 2 && !(await alive(s, d))) {
      throw failure(
        d,
        `the process exited before it was ready (last probe: ${last})`,
        await logTail(s, d),
        `see \`pyro logs ${d.inst.def.role} --host ${d.inst.host.name}\``,
      );
    }
    if (Date.now() > deadline) {
      throw failure(
        d,
        `not ready after ${s.readyTimeoutSec} s (last probe: ${last})`,
        await logTail(s, d),
        'the service may need more time (--timeout) or memory; its log says more',
      );
    }
    await sleep(1000, s.signal);
  }
}

/** Polls a role's gate until it passes, or fails after the timeout naming the probe. Returns the seconds it took. */
export async function waitGate(s: Session, role: string, ds: Desired[], since = Date.now(), opts: { rolling?: boolean } = {}): Promise<number> {
  const rt = ds[0]?.runtime;
  const gate = (opts.rolling ? rt?.rollingGate : undefined) ?? rt?.gate;
  if (!gate) return 0;
  const deadline = since + s.readyTimeoutSec * 1000;
  for (;;) {
    const r = await gate(
      ds.map((d) => d.inst),
      probeContext(s),
    );
    if (r.ok) {
      if (!s.quiet) s.out.info(`   ${role} gate: ${r.detail}`);
      return (Date.now() - since) / 1000;
    }
    if (Date.now() > deadline) {
      throw new HostError('GATE_FAILED', ds[0]!.inst.host.name, `${role}: gate not passed after ${s.readyTimeoutSec} s: ${r.detail}`, {
        hint: `\`pyro status\` shows each instance; \`pyro logs ${role}\` shows their logs`,
      });
    }
    await sleep(1000, s.signal);
  }
}

/**
 * Stops an instance for good (`down`, a decommission): TERM, then KILL after its grace period, then what it keeps
 * across its own restarts on purpose (a NodeManager's containers, the ResourceManager's applications).
 */
export async function stopInstance(s: Session, d: Desired): Promise<string> {
  const role = d.inst.def.role;
  const r = await hostOf(s, d.inst.host.name).exec('sh -s', {
    stdin: `${HOST_PRELUDE}\n${stopLine(d)}\n${d.afterStop ?? ''}`,
    timeoutMs: (d.runtime.stopGraceSec + 30) * 1000,
    signal: s.signal,
  });
  const line = parseLines(r.stdout).find((l) => l.kind === 'stopped');
  if (!line) {
    throw new HostError(
      'SERVICE_STOP_FAILED',
      d.inst.host.name,
      `stopping ${role} on ${d.inst.host.name} failed: ${(r.stderr || r.stdout).trim().slice(0, 300)}`,
      {
        hint: `the process (pid file ${d.paths.pidFile}) may belong to another user; stop it by hand, then run pyro again`,
      },
    );
  }
  return line.words[1]!;
}

/** Makes a running instance read its reloadable files again (e.g. `dfsadmin -refreshNodes`), once they are written. */
export async function reloadInstance(s: Session, d: Desired): Promise<void> {
  if (!d.reload) return;
  const r = await hostOf(s, d.inst.host.name).exec('sh -s', { stdin: `${d.reload.sh} 2>&1`, timeoutMs: 120_000, signal: s.signal });
  if (r.exitCode !== 0) {
    throw new HostError(
      'RELOAD_FAILED',
      d.inst.host.name,
      `${d.inst.def.role} on ${d.inst.host.name} did not take in ${d.reload.files.join(', ')}: ${(r.stdout + r.stderr).trim().slice(-400)}`,
      { hint: `\`pyro logs ${d.inst.def.role}\` shows why; run the same command again once it is healthy` },
    );
  }
  say(s, d.inst.host.name, `${d.inst.def.role}: reloaded ${d.reload.files.join(', ')}`);
}

/** Stops a role's instances in parallel, saying how each went; returns `stop` change lines for those that ran. */
export async function stopRole(s: Session, role: string, ds: Desired[]): Promise<string[]> {
  const stopped: string[] = [];
  valuesOrThrow(
    await runOnHosts(
      ds.map((d) => Object.assign(d, { name: d.inst.host.name })),
      async (d) => {
        const how = await stopInstance(s, d);
        say(s, d.name, `${role}: ${how === 'not-running' ? 'was not running' : `stopped (${how})`}`);
        if (how !== 'not-running') stopped.push(`${d.name}: stop ${role} (${how})`);
      },
      { signal: s.signal },
    ),
    `stopping ${role}`,
  );
  return stopped;
}
