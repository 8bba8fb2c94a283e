import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PyroError } from '../../util/errors.js';
import type { ArtifactRecipe } from '../types.js';

/** What a wheelhouse needs from the host: the CPython it was built for, the CPU and the oldest glibc it accepts. */
export interface WheelhouseTarget {
  /** `3.11`, or `any` when every wheel is pure Python or abi3. */
  python: string;
  /** `x86_64`, `aarch64` ..., or `any`. */
  arch: string;
  /** Oldest glibc every platform wheel accepts (`2.34`), or `any`. */
  glibcMin: string;
}

const LEGACY_MANYLINUX: Record<string, string> = { manylinux1: '2.5', manylinux2010: '2.12', manylinux2014: '2.17' };

const cmpVersion = (a: string, b: string) => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

/** Splits a wheel file name into name, version and its python, abi and platform tags (PEP 427). */
export function parseWheelName(file: string): { name: string; version: string; python: string; abi: string; platforms: string[] } | undefined {
  const parts = file.replace(/\.whl$/, '').split('-');
  if (!file.endsWith('.whl') || parts.length < 5 || parts.length > 6) return undefined;
  const [name, version] = parts as [string, string];
  const [python, abi, plat] = parts.slice(-3) as [string, string, string];
  return { name, version, python, abi, platforms: plat.split('.') };
}

/** The interpreter, CPU and glibc a set of wheels was resolved for (throws if they disagree on Python or CPU). */
export function wheelhouseTarget(files: string[]): WheelhouseTarget {
  const pythons = new Set<string>();
  const arches = new Set<string>();
  let glibcMin: string | undefined;
  for (const f of files) {
    const w = parseWheelName(f);
    if (!w) continue;
    const cp = /^cp(\d)(\d+)$/.exec(w.abi);
    if (cp) pythons.add(`${cp[1]}.${cp[2]}`);
    let lowest: string | undefined;
    for (const p of w.platforms) {
      if (p === 'any') continue;
      const m = /^(manylinux_(\d+)_(\d+)|manylinux1|manylinux2010|manylinux2014|linux)_(.+)$/.exec(p);
      if (!m) continue;
      arches.add(m[4]!);
      const glibc = m[2] ? `${m[2]}.${m[3]}` : LEGACY_MANYLINUX[m[1]!];
      if (glibc && (!lowest || cmpVersion(glibc, lowest) < 0)) lowest = glibc;
    }
    if (lowest && (!glibcMin || cmpVersion(lowest, glibcMin) > 0)) glibcMin = lowest;
  }
  if (pythons.size > 1 || arches.size > 1) {
    throw new PyroError('ASSEMBLE_FAILED', `the wheels mix Python versions (${[...pythons].join(', ')}) or CPUs (${[...arches].join(', ')})`, {
      hint: "build the wheelhouse with one interpreter (the hosts' Python)",
    });
  }
  return { python: [...pythons][0] ?? 'any', arch: [...arches][0] ?? 'any', glibcMin: glibcMin ?? 'any' };
}

/**
 * Requirements Superset's own metadata gets wrong when resolved against today's PyPI (its tested set is a lock file
 * in its repository, not in the wheel): 6.1.0 imports `rich` (superset/cli/test_db.py) without declaring it (it came
 * with Flask-Limiter 3, which made it optional in 4), and Flask-Caching 2.5 passes `ignore_delete_many_errors` to
 * cache factories, which SupersetMetastoreCache rejects, so every CLI command fails at app creation. Its database
 * engine specs import `cachetools` (aws_iam.py) without declaring it, which fails every database connection test.
 */
const COMPAT = ['rich', 'flask-caching<2.5', 'cachetools'];

/**
 * Superset's `hive://` dialect for the Spark SQL server (HiveServer2's protocol): PyHive, with Thrift and a pure
 * Python SASL (the server's default transport is SASL PLAIN); 0.7.0 no longer names these as an extra.
 */
const HIVE_DRIVER = ['pyhive==0.7.0', 'thrift', 'thrift-sasl', 'pure-sasl'];

/** PEP 503 name: `Flask_Login` -> `flask-login`. */
export const canonicalName = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

/**
 * Prints (as JSON, into argv[3]) the requirements of the wheels in argv[1] that are not in that dir but that some
 * patch release of Python argv[2] would need, with the marker that gates them. Uses pip's vendored `packaging`.
 */
const MARKER_SCAN = `import email.parser, json, pathlib, sys, zipfile
from pip._vendor.packaging.markers import default_environment
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name

wheels, minor, out = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
have, metas = set(), []
for whl in sorted(wheels.glob("*.whl")):
    with zipfile.ZipFile(whl) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        msg = email.parser.Parser().parsestr(z.read(meta).decode("utf-8"))
    have.add(canonicalize_name(msg["Name"]))
    metas.append(msg.get_all("Requires-Dist") or [])
needs = []
for reqs in metas:
    for line in reqs:
        r = Requirement(line)
        if not r.marker or canonicalize_name(r.name) in have:
            continue
        for patch in range(40):
            env = default_environment()
            env.update(python_version=minor, python_full_version="%s.%d" % (minor, patch), extra="")
            if r.marker.evaluate(env):
                marker, r.marker = str(r.marker), None
                needs.append({"name": canonicalize_name(r.name), "requirement": str(r), "marker": marker})
                break
json.dump(needs, open(out, "w"))
`;

/**
 * Run on a host in the unpacked tree: checks that the host's Python, CPU and glibc fit the wheels, then creates
 * ./venv and installs the pinned requirements offline. Skips when venv/.pyro-installed holds the hash of
 * requirements.txt. The venv is made without pip (Debian's python3 lacks ensurepip unless python3-venv is
 * installed); pip runs from its bundled wheel and installs itself into the venv too.
 */
const HOST_SETUP = `set -eu
py="\${PYRO_PYTHON:-python3}"
if ! command -v "$py" >/dev/null 2>&1; then
  echo "superset setup: Python interpreter '$py' not found on $(uname -n); install python3 or set PYRO_PYTHON" >&2
  exit 2
fi
"$py" - <<'PYRO_CHECK'
import platform, sys
want = open("wheels/PYTHON_VERSION").read().strip()
have = "%d.%d" % sys.version_info[:2]
target = dict(line.split("=", 1) for line in open("wheels/PLATFORM").read().split())
errors = []
if want != "any" and want != have:
    errors.append("the bundled wheels are for Python %s but %s is Python %s: rebuild the superset artifact with "
                  "the hosts' Python (registry option python) or set PYRO_PYTHON to a python%s" % (want, sys.executable, have, want))
if target.get("arch", "any") not in ("any", platform.machine()):
    errors.append("the bundled wheels are for %s, this host is %s" % (target["arch"], platform.machine()))
libc, libc_version = platform.libc_ver()
need = target.get("glibc_min", "any")
if need != "any" and libc == "glibc" and tuple(map(int, libc_version.split("."))) < tuple(map(int, need.split("."))):
    errors.append("the bundled wheels need glibc >= %s, this host has %s" % (need, libc_version))
if errors:
    sys.exit("superset setup: " + "; ".join(errors))
PYRO_CHECK
hash="$(sha256sum requirements.txt | cut -d ' ' -f 1)"
if [ -x venv/bin/python ] && [ "$(cat venv/.pyro-installed 2>/dev/null)" = "$hash" ]; then
  echo "superset setup: venv up to date"
  exit 0
fi
rm -rf venv
"$py" -m venv --without-pip venv
pip_wheel="$(ls wheels/pip-*.whl | head -n 1)"
venv/bin/python "$pip_wheel/pip" install --isolated --no-index --find-links wheels --disable-pip-version-check -q pip -r requirements.txt
echo "$hash" > venv/.pyro-installed
echo "superset setup: venv installed"
`;

/** Superset at `version` as a wheelhouse (wheels/, requirements.txt) that `hostSetup` installs into ./venv offline. */
export function supersetRecipe(version: string): ArtifactRecipe {
  return {
    component: 'superset',
    version,
    title: `Apache Superset ${version} (wheels for an offline venv, with psycopg2, PyHive and gunicorn)`,
    requiredPaths: ['wheels', 'wheels/PYTHON_VERSION', 'wheels/PLATFORM', 'requirements.txt'],
    hostSetup: HOST_SETUP,
    // 2: cachetools added. 3: PyHive, for the Spark SQL server.
    assemblyRevision: 3,
    async assemble(ctx) {
      // Superset, the drivers of the serving database and the Spark SQL server, and the WSGI server, resolved
      // together so their pins agree.
      await ctx.pipWheel([`apache-superset==${version}`, 'psycopg2-binary', ...HIVE_DRIVER, 'gunicorn', ...COMPAT], 'wheels');
      // pip resolves environment markers for this machine's exact Python (e.g. 3.11.7); a host's 3.11.2 may need
      // more (redis wants async-timeout below 3.11.3). Add what any patch release of the same minor needs.
      const wheelsDir = path.join(ctx.dir, 'wheels');
      const scan = path.join(ctx.scratch, 'superset-marker-scan.py');
      await writeFile(scan, MARKER_SCAN);
      const gated = new Map<string, string[]>();
      for (let round = 1; ; round++) {
        const minor = wheelhouseTarget(await readdir(wheelsDir)).python;
        if (minor === 'any') break;
        const out = path.join(ctx.scratch, `superset-markers-${round}.json`);
        await ctx.run(['python3', scan, wheelsDir, minor, out]);
        const needs = JSON.parse(await readFile(out, 'utf8')) as { name: string; requirement: string; marker: string }[];
        if (needs.length === 0) break;
        if (round > 3)
          throw new PyroError('ASSEMBLE_FAILED', `superset: marker-gated requirements keep appearing: ${needs.map((n) => n.requirement).join(', ')}`);
        for (const n of needs) gated.set(n.name, [...(gated.get(n.name) ?? []), n.marker]);
        ctx.log(`superset: adding for other patch releases of Python ${minor}: ${needs.map((n) => `${n.requirement} (${n.marker})`).join(', ')}`);
        await ctx.pipWheel(
          needs.map((n) => n.requirement),
          'wheels',
        );
      }
      // pip itself, to bootstrap the venv on hosts without ensurepip.
      const all = await ctx.pipWheel(['pip'], 'wheels', { noDeps: true });
      const wheels = all.flatMap((f) => parseWheelName(f) ?? []);
      if (!wheels.some((w) => w.name === 'apache_superset' && w.version === version)) {
        throw new PyroError('ASSEMBLE_FAILED', `pip wheel produced no apache_superset-${version} wheel`, {
          hint: 'check that the index serves apache-superset at that version',
        });
      }
      const target = wheelhouseTarget(all);
      const pins = wheels
        .filter((w) => canonicalName(w.name) !== 'pip')
        .map((w) => {
          const markers = gated.get(canonicalName(w.name));
          return `${w.name}==${w.version}${markers ? ` ; ${markers.map((m) => `(${m})`).join(' or ')}` : ''}`;
        })
        .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
      await ctx.write('requirements.txt', `# apache-superset ${version} and what pip resolved for it (Python ${target.python})\n${pins.join('\n')}\n`);
      await ctx.write('wheels/PYTHON_VERSION', `${target.python}\n`);
      await ctx.write('wheels/PLATFORM', `arch=${target.arch}\nglibc_min=${target.glibcMin}\n`);
      ctx.log(`superset: ${pins.length} wheels for Python ${target.python} on ${target.arch}, glibc >= ${target.glibcMin}`);
    },
  };
}

export default supersetRecipe('6.1.0');
