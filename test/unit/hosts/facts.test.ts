import { strict as assert } from 'node:assert';
import path from 'node:path';
import { factsScript, javaMajor, packageFamily, parseFacts, probeLines } from '../../../src/hosts/facts.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { ROOT } from '../../helpers/cli.js';

describe('facts: OS release, venv, JDKs and probes', () => {
  it('parses the package manager family from ID and ID_LIKE', () => {
    const cases: [string, string, string, string][] = [
      ['@osrel debian 12 ', 'debian', '12', 'apt'],
      ['@osrel ubuntu 22.04 debian', 'ubuntu', '22.04', 'apt'],
      ['@osrel linuxmint 21.3 ubuntu debian', 'linuxmint', '21.3', 'apt'],
      ['@osrel rocky 9.4 rhel centos fedora', 'rocky', '9.4', 'dnf'],
      ['@osrel almalinux 9.5 rhel centos fedora', 'almalinux', '9.5', 'dnf'],
      ['@osrel fedora 40 ', 'fedora', '40', 'dnf'],
      ['@osrel rhel 9.3 fedora', 'rhel', '9.3', 'dnf'],
      ['@osrel alpine 3.20.3 ', 'alpine', '3.20.3', 'none'],
      ['@osrel arch - ', 'arch', '', 'none'],
      ['@osrel - - ', '', '', 'none'],
      ['@osrel ', '', '', 'none'],
    ];
    for (const [line, id, versionId, family] of cases) {
      const f = parseFacts(line, 0, 0);
      assert.deepEqual([f.osRelease.id, f.osRelease.versionId, f.osRelease.family], [id, versionId, family], line);
    }
    assert.deepEqual(parseFacts('@osrel rocky 9.4 rhel centos fedora', 0, 0).osRelease.like, ['rhel', 'centos', 'fedora']);
    assert.equal(packageFamily('opensuse-leap', ['suse', 'opensuse']), 'none');
  });

  it('reads the uid, the venv module and ensurepip', () => {
    const f = parseFacts(['@uid 1000', '@pyvenv 1 0'].join('\n'), 0, 0);
    assert.equal(f.uid, 1000);
    assert.deepEqual(f.pythonVenv, { venv: true, ensurepip: false });
    // No interpreter: the venv line is empty and says nothing.
    assert.equal(parseFacts('@pyvenv ', 0, 0).pythonVenv, undefined);
    assert.equal(parseFacts('@uid ', 0, 0).uid, undefined);
  });

  it('reads JDKs under /usr/lib/jvm with their major versions, and the probes', () => {
    const f = parseFacts(
      [
        '@jdk /usr/lib/jvm/java-17-openjdk-amd64 17.0.15',
        '@jdk /usr/lib/jvm/java-1.8.0-openjdk 1.8.0_392',
        '@jdk /usr/lib/jvm/broken',
        '@probe postgresql-server 1',
        '@probe other 0',
      ].join('\n'),
      0,
      0,
    );
    assert.deepEqual(f.jdks, [
      { home: '/usr/lib/jvm/java-17-openjdk-amd64', version: '17.0.15', major: 17 },
      { home: '/usr/lib/jvm/java-1.8.0-openjdk', version: '1.8.0_392', major: 8 },
    ]);
    assert.deepEqual(f.probes, { 'postgresql-server': true, other: false });
    assert.deepEqual([javaMajor('21'), javaMajor('25.0.1'), javaMajor('x')], [21, 25, undefined]);
  });

  it('a probe that exits early ends only itself; every probe reports 0 or 1', async () => {
    const { execa } = await import('execa');
    const script = [
      ...probeLines([
        { id: 'yes', test: 'exit 0' },
        { id: 'no', test: 'exit 3' },
        { id: 'comment', test: 'true # a comment must not swallow the closing parenthesis' },
        { id: 'loop', test: 'for b in /nonexistent/*/bin/x /bin/sh; do [ -x "$b" ] && exit 0; done; exit 1' },
      ]),
      'echo "@after yes"',
    ].join('\n');
    const r = await execa('sh', ['-c', script]);
    const f = parseFacts(r.stdout, 0, 0);
    assert.deepEqual(f.probes, { yes: true, no: false, comment: true, loop: true });
    assert.match(r.stdout, /@after yes/);
  });

  it('the whole facts script, with a probe, runs on this machine in one sh', async () => {
    const { execa } = await import('execa');
    const { inventory } = await loadInventory(path.join(ROOT, 'inventories', 'local.yaml'));
    const r = await execa('sh', ['-c', factsScript(inventory.hosts[0]!, [{ id: 'sh', test: 'command -v sh' }])]);
    const f = parseFacts(r.stdout, 0, 0);
    assert.equal(f.probes.sh, true);
    assert.equal(f.uid, process.getuid!());
    // This machine is Debian-like (the project's machines are); the family follows from os-release.
    assert.notEqual(f.osRelease.id, '');
    assert.ok(f.pythonVenv, 'python3 answers the venv question');
    assert.equal(f.pythonVenv!.venv, true);
  });
});
