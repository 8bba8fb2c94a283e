import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assembleContext } from '../../src/artifacts/tools.js';
import { nifiRecipe } from '../../src/artifacts/recipes/nifi.js';
import { LocalHost } from '../../src/hosts/local-host.js';
import { smokeNifi } from '../helpers/smoke/nifi.js';
import { findJava21 } from '../helpers/java.js';

/** NiFi 2 needs Java 21+; this machine's default java is 17. */
const JAVA21_HOME = findJava21();

/** The MANIFEST.MF of a NAR and the names of its bundled jars. */
function narInfo(nar: string): { manifest: string; jars: string[] } {
  const py = `import sys, zipfile, json
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({"manifest": z.read("META-INF/MANIFEST.MF").decode(), "jars": [n.rsplit("/", 1)[1] for n in z.namelist() if "/bundled-dependencies/" in n and n.endswith(".jar")]}))`;
  return JSON.parse(execFileSync('python3', ['-c', py, nar], { encoding: 'utf8' })) as { manifest: string; jars: string[] };
}

describe('NiFi artifact: assembled from Maven Central, started from the tree through LocalHost', function () {
  this.timeout(900_000);
  const host = new LocalHost({ name: 'local' });
  const recipe = nifiRecipe();
  let tmp: string;
  let root: string;

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pyro-nifi-'));
    root = path.join(tmp, 'tree');
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it(`assembles NiFi ${recipe.version}: lib/ with the framework NARs and a nifi-standard-nar built from its jars, conf/`, async () => {
    const t0 = Date.now();
    const ctx = await assembleContext(root, path.join(tmp, 'scratch'), path.join(tmp, 'fetch.log'), {});
    try {
      await recipe.assemble!(ctx);
    } finally {
      await ctx.close();
    }
    for (const p of recipe.requiredPaths) assert.ok(existsSync(path.join(root, p)), `missing ${p}`);
    assert.equal(recipe.javaMin, 21);
    const std = narInfo(path.join(root, 'lib', `nifi-standard-nar-${recipe.version}.nar`));
    assert.match(std.manifest, /^Nar-Id: nifi-standard-nar\r?$/m);
    assert.match(std.manifest, /^Nar-Dependency-Id: nifi-standard-shared-nar\r?$/m);
    assert.ok(std.jars.includes(`nifi-standard-processors-${recipe.version}.jar`), 'bundles the processors');
    // Jars the parents or lib/ provide stay out, or API classes would be loaded twice.
    for (const provided of ['nifi-api-', 'slf4j-api-', 'nifi-record-serialization-service-api-', 'nifi-utils-']) {
      assert.ok(!std.jars.some((j) => j.startsWith(provided)), `${provided}* must come from a parent, not the standard NAR`);
    }
    assert.match(readFileSync(path.join(root, 'conf', 'nifi.properties'), 'utf8'), /^nifi\.nar\.library\.directory=\.\/lib$/m);
    const size = execFileSync('du', ['-sh', root], { encoding: 'utf8' }).split('\t')[0];
    console.log(`      nifi tree: ${size} in ${((Date.now() - t0) / 1000).toFixed(1)} s (standard NAR: ${std.jars.length} bundled jars)`);
  });

  it('smokeNifi: HTTPS with a client certificate, REST answers /flow/about, a GenerateFlowFile flow runs, stops', async () => {
    const t0 = Date.now();
    const workDir = path.join(tmp, 'run');
    const evidence = await smokeNifi(host, root, { workDir, address: '127.0.0.1', java21Home: JAVA21_HOME });
    console.log(`      ${evidence} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    assert.match(evidence, new RegExp(`/flow/about version=${recipe.version.replace(/\./g, '\\.')} as CN=pyro-admin`));
    assert.match(evidence, /without a client certificate refused/);
    assert.match(evidence, /web UI \/nifi\/ HTTP 200, \d+ bytes of text\/html/);
    assert.match(evidence, /GenerateFlowFile \(nifi-standard-nar:2\.3\.0\) -> funnel queued [1-9]\d* FlowFile/);
    assert.match(evidence, /JsonTreeReader: yes/);
    assert.ok(!existsSync(workDir), 'the smoke removes its work dir');
    const left = execFileSync('sh', ['-c', `ps -eo args | grep -F '${root}/lib' | grep -v grep || true`], { encoding: 'utf8' }).trim();
    assert.equal(left, '', `NiFi still running: ${left}`);
  });
});
