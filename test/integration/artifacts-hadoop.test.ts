import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import hadoop from '../../src/artifacts/recipes/hadoop.js';
import postgresqlJdbc, { POSTGRESQL_JDBC_JARS } from '../../src/artifacts/recipes/postgresql-jdbc.js';
import { assembleContext } from '../../src/artifacts/tools.js';
import type { ArtifactRecipe } from '../../src/artifacts/types.js';
import { LocalHost } from '../../src/hosts/local-host.js';
import { smokeHdfs, smokeYarn } from '../helpers/smoke/hadoop.js';

/** Assembles `recipe` from Maven Central into `dir`/dist; returns the tree and the seconds it took. */
async function assemble(recipe: ArtifactRecipe, dir: string): Promise<{ root: string; seconds: number }> {
  const started = Date.now();
  const root = path.join(dir, 'dist');
  const ctx = await assembleContext(root, path.join(dir, 'scratch'), path.join(dir, 'fetch.log'), {});
  try {
    await recipe.assemble!(ctx);
  } finally {
    await ctx.close();
  }
  for (const p of recipe.requiredPaths) assert.ok(existsSync(path.join(root, p)), `${recipe.component}: missing ${p}`);
  return { root, seconds: (Date.now() - started) / 1000 };
}

const size = (dir: string) => execFileSync('du', ['-sh', dir], { encoding: 'utf8' }).split('\t')[0];

describe('Hadoop and PostgreSQL JDBC assembled from Maven Central', function () {
  this.timeout(900_000);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pyro-hadoop-'));
  const host = new LocalHost({ name: 'local' });
  const address = process.env.PYRO_SMOKE_ADDRESS ?? '127.0.0.1';
  const javaHome = process.env.PYRO_SMOKE_JAVA_HOME; // default: the java on PATH (17 here)
  let root = '';

  after(() => rmSync(tmp, { recursive: true, force: true }));

  it(`assembles Hadoop ${hadoop.version} in the official share/hadoop layout`, async () => {
    const r = await assemble(hadoop, path.join(tmp, 'hadoop'));
    root = r.root;
    const share = path.join(root, 'share/hadoop');
    const jars = (d: string) => (existsSync(path.join(share, d)) ? readdirSync(path.join(share, d)).filter((f) => f.endsWith('.jar')) : []);
    // Hadoop's own jars per module, third-party jars in lib/ dirs, each library once.
    assert.ok(jars('common').includes(`hadoop-common-${hadoop.version}.jar`));
    assert.ok(jars('hdfs').includes(`hadoop-hdfs-client-${hadoop.version}.jar`));
    assert.ok(
      jars('yarn').every((f) => f.startsWith('hadoop-yarn-')),
      jars('yarn').join(' '),
    );
    assert.ok(jars('mapreduce').every((f) => f.startsWith('hadoop-mapreduce-client-')));
    const all = ['common/lib', 'hdfs/lib', 'yarn/lib'].flatMap(jars);
    const bindings = all.filter((f) => /^(slf4j-(reload4j|log4j12|simple|jdk14)|logback-classic|log4j-slf4j2?-impl)-/.test(f));
    assert.equal(bindings.length, 1, `one SLF4J binding: ${bindings.join(' ')}`);
    assert.ok(jars('common/lib').includes(bindings[0]!), 'the binding sits in common/lib');
    assert.equal(new Set(all).size, all.length, 'no jar twice');
    assert.ok(existsSync(path.join(share, 'hdfs/webapps/hdfs/dfshealth.html')), 'NameNode web UI files');
    assert.match(readFileSync(path.join(root, 'etc/hadoop/log4j.properties'), 'utf8'), /log4j.appender.RFA=/);
    const files = execFileSync('find', [root, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n').length;
    console.log(`      hadoop ${hadoop.version}: ${size(root)}, ${files} files, assembled in ${r.seconds.toFixed(1)} s`);
  });

  it('runs HDFS from the assembly: NameNode formatted, DataNode live in /jmx', async () => {
    assert.ok(root, 'assembly failed');
    const started = Date.now();
    const evidence = await smokeHdfs(host, root, { workDir: path.join(tmp, 'hdfs-smoke'), address, javaHome });
    console.log(`      ${evidence} (smoke ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    assert.match(evidence, /NumLiveDataNodes=1/);
    assert.match(evidence, new RegExp(`ClusterId=pyro-smoke, Version=${hadoop.version.replace(/\./g, '\\.')}`));
    assert.match(evidence, /9870\/dfshealth\.html 200 .*9864\/datanode\.html 200/, 'NameNode and DataNode web UIs');
  });

  it('runs YARN from the assembly: ResourceManager counts one active NodeManager', async () => {
    assert.ok(root, 'assembly failed');
    const started = Date.now();
    const evidence = await smokeYarn(host, root, { workDir: path.join(tmp, 'yarn-smoke'), address, javaHome });
    console.log(`      ${evidence} (smoke ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    assert.match(evidence, /activeNodes=1, totalMB=2048, totalVirtualCores=2/);
    assert.match(evidence, /node \S+ RUNNING/);
    assert.match(evidence, /8088\/cluster 200 .*8042\/node 200/, 'ResourceManager and NodeManager web UIs');
  });

  it(`assembles the PostgreSQL JDBC driver ${postgresqlJdbc.version} into jars/`, async () => {
    const r = await assemble(postgresqlJdbc, path.join(tmp, 'pg'));
    const jar = path.join(r.root, `jars/postgresql-${postgresqlJdbc.version}.jar`);
    assert.deepEqual(readdirSync(path.join(r.root, 'jars')), [path.basename(jar)]);
    const known = POSTGRESQL_JDBC_JARS[postgresqlJdbc.version];
    if (known) assert.equal(createHash('sha512').update(readFileSync(jar)).digest('hex'), known.sha512, 'same file as on Maven Central');
    // The jar's Main-Class prints the driver's name and version (and exits 1: it is not a program).
    const run = spawnSync('java', ['-jar', jar], { encoding: 'utf8' });
    const banner = /PostgreSQL JDBC Driver \S+/.exec(run.stdout + run.stderr)?.[0] ?? `(no banner: ${run.stdout}${run.stderr})`;
    assert.match(banner, new RegExp(`PostgreSQL JDBC Driver ${postgresqlJdbc.version.replace(/\./g, '\\.')}`));
    console.log(`      ${banner}: ${size(r.root)}, assembled in ${r.seconds.toFixed(1)} s`);
  });
});
