import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import spark, { jarBaseName } from '../../src/artifacts/recipes/spark.js';
import superset, { wheelhouseTarget } from '../../src/artifacts/recipes/superset.js';
import { assembleContext } from '../../src/artifacts/tools.js';
import type { ArtifactRecipe } from '../../src/artifacts/types.js';
import { LocalHost } from '../../src/hosts/local-host.js';
import { smokeSpark } from '../helpers/smoke/spark.js';
import { smokeSuperset } from '../helpers/smoke/superset.js';

const du = (dir: string) => execFileSync('du', ['-sh', dir], { encoding: 'utf8' }).split('\t')[0];

/** Assembles a recipe into base/dist (scratch and log beside it); returns the tree. */
async function assemble(recipe: ArtifactRecipe, base: string): Promise<string> {
  const ctx = await assembleContext(path.join(base, 'dist'), path.join(base, 'scratch'), path.join(base, 'fetch.log'), {});
  const t0 = Date.now();
  try {
    await recipe.assemble!(ctx);
  } finally {
    await ctx.close();
  }
  const dir = path.join(base, 'dist');
  console.log(`      ${recipe.component} ${recipe.version} assembled in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${du(dir)}`);
  rmSync(path.join(base, 'scratch'), { recursive: true, force: true });
  for (const p of recipe.requiredPaths) assert.ok(existsSync(path.join(dir, p)), `${recipe.component}: missing ${p}`);
  return dir;
}

const host = new LocalHost({ name: 'local' });
// The hosts' interpreter is Debian's python3; prefer it over whatever python3 is first on PATH here.
const hostPython = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

describe('artifact recipes: pure helpers', () => {
  it('jarBaseName strips the version, not the Scala or Kafka suffixes', () => {
    assert.equal(jarBaseName('spark-sql-kafka-0-10_2.13-4.2.0.jar'), 'spark-sql-kafka-0-10_2.13');
    assert.equal(jarBaseName('kafka-clients-3.9.2.jar'), 'kafka-clients');
    assert.equal(jarBaseName('zstd-jni-1.5.7-7.jar'), 'zstd-jni');
    assert.equal(jarBaseName('commons-pool2-2.13.1.jar'), 'commons-pool2');
  });
  it('wheelhouseTarget reads the CPython, CPU and oldest glibc from wheel tags', () => {
    assert.deepEqual(
      wheelhouseTarget([
        'pandas-2.1.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
        'bcrypt-5.0.0-cp39-abi3-manylinux_2_34_x86_64.whl',
        'flask-3.1.3-py3-none-any.whl',
        'PYTHON_VERSION',
      ]),
      { python: '3.11', arch: 'x86_64', glibcMin: '2.34' },
    );
    assert.deepEqual(wheelhouseTarget(['six-1.17.0-py2.py3-none-any.whl']), { python: 'any', arch: 'any', glibcMin: 'any' });
    assert.throws(() => wheelhouseTarget(['a-1-cp311-cp311-manylinux1_x86_64.whl', 'b-1-cp312-cp312-manylinux1_x86_64.whl']), /mix Python/);
  });
});

describe('Spark 4.2.0 from the PyPI pyspark sdist, smoked through LocalHost', function () {
  this.timeout(900_000);
  let base: string;
  let tree: string;
  before(async () => {
    base = mkdtempSync(path.join(os.tmpdir(), 'pyro-spark-'));
    tree = await assemble(spark, base);
  });
  after(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('is laid out like spark-4.2.0-bin-hadoop3 with the Kafka connector apart', () => {
    for (const f of ['spark-submit', 'spark-class', 'pyspark', 'find-spark-home', 'load-spark-env.sh']) accessSync(path.join(tree, 'bin', f), constants.X_OK);
    assert.ok(readdirSync(path.join(tree, 'python', 'lib')).some((f) => /^py4j-.*-src\.zip$/.test(f)));
    assert.ok(existsSync(path.join(tree, 'python', 'pyspark', '__init__.py')));
    const connectors = readdirSync(path.join(tree, 'connectors')).filter((f) => f.endsWith('.jar'));
    assert.deepEqual(connectors.map(jarBaseName).sort(), [
      'commons-pool2',
      'kafka-clients',
      'spark-sql-kafka-0-10_2.13',
      'spark-token-provider-kafka-0-10_2.13',
    ]);
    const jars = new Set(readdirSync(path.join(tree, 'jars')).map(jarBaseName));
    assert.deepEqual(
      connectors.filter((f) => jars.has(jarBaseName(f))),
      [],
    );
    assert.match(readFileSync(path.join(tree, 'RELEASE'), 'utf8'), /^Spark 4\.2\.0 built for Hadoop 3/);
  });

  it('spark-submit --version and a local PySpark job run from the tree', async () => {
    const t0 = Date.now();
    const evidence = await smokeSpark(host, tree, { workDir: path.join(base, 'work'), address: '127.0.0.1', python: hostPython });
    console.log(`      ${evidence} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    assert.match(evidence, /spark-submit --version: 4\.2\.0/);
    assert.match(evidence, /range count=1000, Python map-sum=9900/);
    assert.match(evidence, /Kafka source resolved from connectors\/ \(columns key,value,topic/);
  });
});

describe('Superset 6.1.0 wheelhouse, installed offline and smoked through LocalHost', function () {
  this.timeout(900_000);
  let base: string;
  let tree: string;
  before(async () => {
    base = mkdtempSync(path.join(os.tmpdir(), 'pyro-superset-'));
    tree = await assemble(superset, base);
  });
  after(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('pins every wheel it carries and records the Python it was built for', () => {
    const wheels = readdirSync(path.join(tree, 'wheels')).filter((f) => f.endsWith('.whl'));
    const pins = readFileSync(path.join(tree, 'requirements.txt'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    assert.equal(pins.length, wheels.length - 1, 'every wheel but pip is pinned');
    for (const p of ['apache_superset==6.1.0', 'psycopg2_binary==', 'gunicorn==', 'rich==', 'flask_caching==2.4.']) {
      assert.ok(
        pins.some((l) => l.startsWith(p)),
        `no pin ${p}`,
      );
    }
    const minor = execFileSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();
    assert.equal(readFileSync(path.join(tree, 'wheels', 'PYTHON_VERSION'), 'utf8').trim(), minor);
    assert.match(readFileSync(path.join(tree, 'wheels', 'PLATFORM'), 'utf8'), /^arch=\S+\nglibc_min=\d+\.\d+\n$/);
  });

  it('hostSetup refuses a host whose Python differs from the wheels', () => {
    const fake = path.join(base, 'fake');
    mkdirSync(path.join(fake, 'wheels'), { recursive: true });
    writeFileSync(path.join(fake, 'wheels', 'PYTHON_VERSION'), '3.99\n');
    writeFileSync(path.join(fake, 'wheels', 'PLATFORM'), 'arch=any\nglibc_min=any\n');
    writeFileSync(path.join(fake, 'requirements.txt'), 'six==1.17.0\n');
    let err: { status: number; stderr: string } | undefined;
    try {
      execFileSync('sh', ['-c', superset.hostSetup!], { cwd: fake, env: { ...process.env, PYRO_PYTHON: hostPython }, stdio: 'pipe', encoding: 'utf8' });
    } catch (e) {
      err = e as { status: number; stderr: string };
    }
    assert.ok(err, 'hostSetup accepted a wheelhouse for Python 3.99');
    assert.match(err.stderr, /the bundled wheels are for Python 3\.99 but .* is Python 3\.\d+/);
    assert.ok(!existsSync(path.join(fake, 'venv')), 'no venv was made');
  });

  it('hostSetup installs the venv offline; superset version, db upgrade and gunicorn /health work', async () => {
    const t0 = Date.now();
    const evidence = await smokeSuperset(host, tree, { workDir: path.join(base, 'work'), address: '127.0.0.1', python: hostPython });
    console.log(`      ${evidence} (${((Date.now() - t0) / 1000).toFixed(1)} s; venv ${du(path.join(tree, 'venv'))})`);
    assert.match(evidence, /venv installed in/);
    assert.match(evidence, /superset version: 6\.1\.0/);
    assert.match(evidence, /alembic head [0-9a-z]+/);
    assert.match(evidence, /answered \/health OK/);
  });
});
