import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assembleContext } from '../../../src/artifacts/tools.js';
import { packageFamily, type OsRelease } from '../../../src/hosts/facts.js';
import { controlInstallHint, controlNeeds, parseOsRelease, prepareControl } from '../../../src/prepare/control.js';
import { planPackages } from '../../../src/prepare/plan.js';
import type { PyroError } from '../../../src/util/errors.js';

const os = (id: string, versionId: string, ...like: string[]): OsRelease => ({ id, versionId, like, family: packageFamily(id, like) });

describe('prepare: the control machine', () => {
  it('the plan: a JDK (17 where packaged, else 21), Maven and pip', () => {
    const missing = controlNeeds().map((n) => ({ ...n, found: 'not found' }));
    assert.deepEqual(planPackages(os('debian', '12'), missing).packages, ['openjdk-17-jdk-headless', 'maven', 'python3-pip']);
    assert.deepEqual(planPackages(os('ubuntu', '22.04', 'debian'), missing).packages, ['openjdk-17-jdk-headless', 'maven', 'python3-pip']);
    assert.deepEqual(planPackages(os('debian', '13'), missing).packages, ['openjdk-21-jdk-headless', 'maven', 'python3-pip']);
    assert.deepEqual(planPackages(os('rocky', '9.4', 'rhel'), missing).commands, ['dnf install -y java-17-openjdk-devel maven python3-pip']);
    assert.deepEqual(planPackages(os('fedora', '42'), missing).packages, ['java-21-openjdk-devel', 'maven', 'python3-pip']);
  });

  it('parses /etc/os-release', () => {
    const text = ['PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"', 'ID="rocky"', 'ID_LIKE="rhel centos fedora"', "VERSION_ID='9.4'", '# comment', ''].join('\n');
    assert.deepEqual(parseOsRelease(text), { id: 'rocky', versionId: '9.4', like: ['rhel', 'centos', 'fedora'], family: 'dnf' });
    assert.deepEqual(parseOsRelease(''), { id: '', versionId: '', like: [], family: 'none' });
  });

  it('on this machine (JDK 17, Maven and pip present): nothing to install', async function () {
    this.timeout(30_000);
    const lines: string[] = [];
    const r = await prepareControl({ log: (l) => lines.push(l) });
    assert.deepEqual([r.status, r.missing, r.commands], ['nothing-missing', [], []]);
    assert.match(lines.join('\n'), /: nothing missing, nothing to install$/);
  });

  it('a Java home given for Maven that lacks a JDK is a setting to fix, not a package', async function () {
    this.timeout(30_000);
    const r = await prepareControl({ dryRun: true, javaHome: '/nonexistent/jdk', log: () => undefined });
    assert.equal(r.status, 'manual-only');
    assert.deepEqual(
      r.unresolved.map((u) => u.hint),
      ['/nonexistent/jdk has no javac 17+ and jar: point the Java home for Maven at a JDK 17+'],
    );
  });

  it('assembly without mvn on PATH: TOOL_MISSING naming the package and --prepare', async function () {
    this.timeout(30_000);
    const dir = await mkdtemp(path.join(tmpdir(), 'pyro-tools-'));
    const saved = process.env.PATH;
    try {
      const ctx = await assembleContext(path.join(dir, 'out'), path.join(dir, 'scratch'), path.join(dir, 'log'), {});
      process.env.PATH = path.join(dir, 'empty-bin');
      await assert.rejects(ctx.maven(['org.example:x:1'], 'lib'), (e: PyroError) => {
        assert.equal(e.code, 'TOOL_MISSING');
        assert.match(e.message, /^mvn is not installed on this machine/);
        assert.equal(e.hint, controlInstallHint('maven'));
        assert.match(e.hint!, /maven.*pyro fetch --prepare or pyro up --prepare/);
        return true;
      });
      await ctx.close();
    } finally {
      process.env.PATH = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
