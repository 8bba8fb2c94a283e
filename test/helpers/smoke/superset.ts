import superset from '../../../src/artifacts/recipes/superset.js';
import { shellQuote, type Host } from '../../../src/hosts/host.js';

/** Options every smoke takes; `python` is the interpreter hostSetup builds the venv with ($PYRO_PYTHON, default python3). */
export interface SupersetSmokeOptions {
  workDir: string;
  javaHome?: string;
  address: string;
  python?: string;
}

const tail = (text: string, n = 30) => text.trimEnd().split('\n').slice(-n).join('\n');
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** Waits for http://address:port/health to answer 200 "OK", with the host's python3 (curl may be absent). */
const HEALTH_WAIT = `import sys, time, urllib.request
url, deadline = sys.argv[1], time.time() + float(sys.argv[2])
while True:
    try:
        body = urllib.request.urlopen(url, timeout=5).read().decode()
        print(body.strip())
        break
    except Exception as e:
        if time.time() > deadline:
            sys.exit("no answer from %s: %s" % (url, e))
        time.sleep(1)
`;

/**
 * Runs the recipe's hostSetup in `root` (timed; then again, which must be a no-op), `superset version` and
 * `superset db upgrade` against sqlite in workDir, then serves the app with gunicorn on `address` until /health
 * answers, and stops it. Returns the evidence.
 */
export async function smokeSuperset(host: Host, root: string, opts: SupersetSmokeOptions): Promise<string> {
  const w = opts.workDir;
  const q = shellQuote;
  const fail = async (what: string, out: string, log?: string) => {
    const extra = log ? (await host.exec(`tail -n 30 ${q(log)}`)).stdout : '';
    throw new Error(`${what} on ${host.name}:\n${tail(plain(out))}${extra ? `\n${log}:\n${extra}` : ''}`);
  };
  const prep = await host.exec(`mkdir -p ${q(`${w}/home`)}`);
  if (prep.exitCode !== 0) throw new Error(`cannot create ${w} on ${host.name}: ${prep.stderr}`);
  await host.writeFile(`${w}/host-setup.sh`, superset.hostSetup!);
  await host.writeFile(`${w}/health.py`, HEALTH_WAIT);
  await host.writeFile(
    `${w}/superset_config.py`,
    `SECRET_KEY = ${JSON.stringify(`pyro-smoke-${Date.now().toString(36)}-0123456789abcdef0123456789`)}\n` +
      `SQLALCHEMY_DATABASE_URI = ${JSON.stringify(`sqlite:///${w}/superset.db`)}\n`,
    { mode: 0o600 },
  );

  const setupEnv = `export PYRO_PYTHON=${q(opts.python ?? 'python3')}`;
  const t0 = Date.now();
  const setup = await host.exec(`${setupEnv}\ncd ${q(root)} && sh ${q(`${w}/host-setup.sh`)} 2>&1`, { timeoutMs: 900_000 });
  const setupSeconds = (Date.now() - t0) / 1000;
  if (setup.exitCode !== 0) await fail(`superset hostSetup failed (exit ${setup.exitCode})`, setup.stdout + setup.stderr);
  const again = await host.exec(`${setupEnv}\ncd ${q(root)} && sh ${q(`${w}/host-setup.sh`)} 2>&1`, { timeoutMs: 120_000 });
  if (again.exitCode !== 0 || !/up to date/.test(again.stdout)) await fail('superset hostSetup is not idempotent', again.stdout + again.stderr);

  const env = [`export SUPERSET_CONFIG_PATH=${q(`${w}/superset_config.py`)}`, `export SUPERSET_HOME=${q(`${w}/home`)}`, `cd ${q(w)}`].join('\n');
  const bin = (name: string) => q(`${root}/venv/bin/${name}`);
  const v = await host.exec(`${env}\n${bin('superset')} version 2>&1`, { timeoutMs: 180_000 });
  const version = /Superset\s+(\d+\.\d+\.\d+\S*)/.exec(plain(v.stdout))?.[1];
  if (v.exitCode !== 0 || !version) await fail(`superset version failed (exit ${v.exitCode})`, v.stdout + v.stderr);

  const u = await host.exec(`${env}\n${bin('superset')} db upgrade > db-upgrade.log 2>&1`, { timeoutMs: 600_000 });
  if (u.exitCode !== 0) await fail(`superset db upgrade failed (exit ${u.exitCode})`, u.stderr, `${w}/db-upgrade.log`);
  const head = await host.exec(
    `${bin('python')} -c ${q(`import sqlite3; print(sqlite3.connect(${JSON.stringify(`${w}/superset.db`)}).execute("select version_num from alembic_version").fetchone()[0])`)}`,
  );
  if (head.exitCode !== 0) await fail('superset db upgrade left no alembic_version', head.stdout + head.stderr, `${w}/db-upgrade.log`);

  // Serve it as pyro will: gunicorn with the app factory, on the host's address and a free port.
  const port = (
    await host.exec(`${bin('python')} -c 'import socket; s = socket.socket(); s.bind(("${opts.address}", 0)); print(s.getsockname()[1])'`)
  ).stdout.trim();
  const pidFile = `${w}/gunicorn.pid`;
  let health: string;
  try {
    const start = await host.exec(
      `${env}\nnohup ${bin('gunicorn')} -w 1 --threads 2 -b ${q(`${opts.address}:${port}`)} --timeout 120 --pid ${q(pidFile)} ` +
        `${q('superset.app:create_app()')} > gunicorn.log 2>&1 < /dev/null &`,
    );
    if (start.exitCode !== 0) await fail('gunicorn did not start', start.stdout + start.stderr, `${w}/gunicorn.log`);
    const h = await host.exec(`${bin('python')} ${q(`${w}/health.py`)} ${q(`http://${opts.address}:${port}/health`)} 120`, { timeoutMs: 150_000 });
    if (h.exitCode !== 0 || h.stdout.trim() !== 'OK') await fail('Superset under gunicorn did not answer /health', h.stdout + h.stderr, `${w}/gunicorn.log`);
    health = h.stdout.trim();
  } finally {
    // TERM the gunicorn master (it stops its workers), KILL after 10 s.
    await host.exec(
      `p=$(cat ${q(pidFile)} 2>/dev/null) || exit 0; kill "$p" 2>/dev/null || exit 0; ` +
        `for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || exit 0; sleep 1; done; kill -9 "$p" 2>/dev/null; true`,
      { timeoutMs: 30_000 },
    );
  }
  const setupLine = tail(plain(setup.stdout), 1);
  return [
    `hostSetup: ${setupLine} in ${setupSeconds.toFixed(1)} s, rerun: venv up to date`,
    `superset version: ${version}`,
    `db upgrade (sqlite): alembic head ${head.stdout.trim()}`,
    `gunicorn on ${opts.address}:${port} answered /health ${health}`,
  ].join('; ');
}
