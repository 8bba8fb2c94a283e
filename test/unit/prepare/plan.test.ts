import { strict as assert } from 'node:assert';
import { packageFamily, type OsRelease } from '../../../src/hosts/facts.js';
import type { MissingNeed } from '../../../src/prepare/needs.js';
import type { NeedKind } from '../../../src/prepare/packages.js';
import { needHint, planPackages } from '../../../src/prepare/plan.js';
import postgresql from '../../../src/services/postgresql/server.js';

const os = (id: string, versionId: string, ...like: string[]): OsRelease => ({ id, versionId, like, family: packageFamily(id, like) });
const need = (id: string, title: string, what: NeedKind): MissingNeed => ({ id, title, roles: ['r'], what, found: 'not found' });

const J17 = need('java', 'Java 17', { kind: 'java', major: 17 });
const J21 = need('java21', 'Java 21', { kind: 'java', major: 21 });
const PY = (interpreter = 'python3') => need('python', 'Python 3.10+', { kind: 'python', interpreter, min: '3.10' });
const VENV = (interpreter = 'python3') => need('python-venv', 'Python venv', { kind: 'python-venv', interpreter });
const pg = postgresql.hostPackages![0]!;
const PG = need(pg.id, pg.title, { kind: 'packages', packages: pg.packages, before: pg.before });

const APT_INSTALL = 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300';

describe('prepare: the package plan per distribution', () => {
  it('nothing missing: nothing to do, on any distribution', () => {
    for (const o of [os('debian', '12'), os('rocky', '9.4', 'rhel', 'centos', 'fedora'), os('alpine', '3.20.3')]) {
      const plan = planPackages(o, []);
      assert.deepEqual([plan.install, plan.manual, plan.packages, plan.commands], [[], [], [], []]);
    }
  });

  it('Debian 12: apt-get update once, one install; Java 21 is not packaged, so java21Home with a downloaded JDK', () => {
    const plan = planPackages(os('debian', '12'), [J17, J21, PY(), VENV(), PG]);
    assert.equal(plan.distro, 'Debian 12');
    assert.deepEqual(plan.packages, ['openjdk-17-jre-headless', 'python3', 'python3-venv', 'postgresql']);
    assert.deepEqual(plan.commands, [pg.before!.apt!, 'apt-get update', `${APT_INSTALL} openjdk-17-jre-headless python3 python3-venv postgresql`]);
    assert.deepEqual(
      plan.manual.map((m) => m.need.id),
      ['java21'],
    );
    assert.match(plan.manual[0]!.hint, /^Debian 12 has no package for a Java 21\+ runtime: download one .* set java21Home to it in the inventory$/);
  });

  it('Debian 12: PostgreSQL alone keeps Debian from starting a main cluster on 5432 first', () => {
    const plan = planPackages(os('debian', '12'), [PG]);
    assert.deepEqual(plan.commands, [pg.before!.apt!, 'apt-get update', `${APT_INSTALL} postgresql`]);
    assert.match(plan.commands[0]!, /create_main_cluster = false/);
  });

  it('Debian 13: Java 21 is packaged, Java 17 no longer', () => {
    const plan = planPackages(os('debian', '13'), [J17, J21]);
    assert.deepEqual(plan.packages, ['openjdk-21-jre-headless']);
    assert.match(plan.manual[0]!.hint, /^Debian 13 has no package for a Java 17\+ runtime: .* set javaHome to it/);
  });

  it('Debian 11: python3 is 3.9 and no newer is packaged: by hand, and venv follows', () => {
    const plan = planPackages(os('debian', '11'), [PY(), VENV()]);
    assert.deepEqual(plan.commands, []);
    assert.deepEqual(
      plan.manual.map((m) => m.need.id),
      ['python', 'python-venv'],
    );
    assert.match(plan.manual[0]!.hint, /python3 is Python 3\.9 on Debian 11, older than 3\.10, .* install a Python 3\.10\+ by hand/);
  });

  it('Ubuntu 22.04 and 24.04: both JDKs, python3-venv', () => {
    for (const v of ['22.04', '24.04']) {
      const plan = planPackages(os('ubuntu', v, 'debian'), [J17, J21, VENV(), PG]);
      assert.deepEqual(plan.manual, [], v);
      assert.deepEqual(plan.commands.slice(1), ['apt-get update', `${APT_INSTALL} openjdk-17-jre-headless openjdk-21-jre-headless python3-venv postgresql`], v);
    }
  });

  it('an interpreter named python3.X gets its own venv package on apt', () => {
    const plan = planPackages(os('ubuntu', '24.04', 'debian'), [VENV('python3.12')]);
    assert.deepEqual(plan.packages, ['python3.12-venv']);
  });

  it('Rocky 9 / RHEL 9: dnf install; python3 is 3.9, so python: python3.11 is the way', () => {
    const rocky = planPackages(os('rocky', '9.4', 'rhel', 'centos', 'fedora'), [J17, J21, PY(), VENV(), PG]);
    assert.deepEqual(rocky.commands, ['dnf install -y java-17-openjdk-headless java-21-openjdk-headless postgresql-server']);
    assert.deepEqual(
      rocky.manual.map((m) => m.need.id),
      ['python', 'python-venv'],
    );
    assert.match(rocky.manual[0]!.hint, /python3 is Python 3\.9 on Rocky Linux 9\.4, older than 3\.10: set python: python3\.11 in the inventory/);

    // With python: python3.11 the interpreter is a package, and brings venv and ensurepip with it.
    const rhel = planPackages(os('rhel', '9.3', 'fedora'), [J17, PY('python3.11'), VENV('python3.11'), PG]);
    assert.deepEqual(rhel.manual, []);
    assert.deepEqual(rhel.commands, ['dnf install -y java-17-openjdk-headless python3.11 postgresql-server']);
  });

  it('RHEL 10 ships no OpenJDK 17; AlmaLinux 8 has both', () => {
    assert.deepEqual(
      planPackages(os('rhel', '10.0', 'fedora'), [J17]).manual.map((m) => m.need.id),
      ['java'],
    );
    assert.deepEqual(planPackages(os('almalinux', '8.10', 'rhel', 'centos', 'fedora'), [J17, J21]).packages, [
      'java-17-openjdk-headless',
      'java-21-openjdk-headless',
    ]);
  });

  it('Fedora: its python3 is new enough; Java 17 is gone from 42 on', () => {
    const f40 = planPackages(os('fedora', '40'), [J17, J21, PY(), VENV(), PG]);
    assert.deepEqual(f40.commands, ['dnf install -y java-17-openjdk-headless java-21-openjdk-headless python3 postgresql-server']);
    const f42 = planPackages(os('fedora', '42'), [J17, J21]);
    assert.deepEqual(f42.packages, ['java-21-openjdk-headless']);
    assert.match(f42.manual[0]!.hint, /^Fedora 42 has no package for a Java 17\+ runtime/);
  });

  it('Alpine and Arch: refused, each need with a hint naming what to install by hand', () => {
    for (const [o, name] of [
      [os('alpine', '3.20.3'), 'Alpine Linux 3.20.3'],
      [os('arch', ''), 'Arch Linux'],
    ] as const) {
      const plan = planPackages(o, [J17, VENV(), PG]);
      assert.deepEqual([plan.family, plan.packages, plan.commands], ['none', [], []]);
      assert.deepEqual(
        plan.manual.map((m) => m.hint),
        [
          `${name} has no package manager pyro drives (apt or dnf): install Java 17 by hand`,
          `${name} has no package manager pyro drives (apt or dnf): install Python venv by hand`,
          `${name} has no package manager pyro drives (apt or dnf): install PostgreSQL server by hand`,
        ],
      );
    }
  });

  it('a need a setting must fix is never installed', () => {
    const blocked = { ...J17, blocked: 'set javaHome: /usr/lib/jvm/java-17-openjdk-amd64 in the inventory' };
    const plan = planPackages(os('debian', '12'), [blocked, PG]);
    assert.deepEqual(plan.packages, ['postgresql']);
    assert.deepEqual(
      plan.manual.map((m) => m.hint),
      [blocked.blocked],
    );
  });

  it('a python: path is not installed', () => {
    const plan = planPackages(os('debian', '12'), [PY('/opt/python/bin/python3')]);
    assert.deepEqual(plan.commands, []);
    assert.match(plan.manual[0]!.hint, /python is set to \/opt\/python\/bin\/python3, which pyro does not install/);
  });

  it('check hints name the exact command and pyro up --prepare', () => {
    assert.equal(needHint(os('debian', '12'), J17), 'install it: apt-get install -y openjdk-17-jre-headless (as root), or let pyro up --prepare do it');
    assert.equal(needHint(os('rocky', '9.4', 'rhel'), PG), 'install it: dnf install -y postgresql-server (as root), or let pyro up --prepare do it');
    assert.match(needHint(os('debian', '12'), J21), /^Debian 12 has no package for a Java 21\+ runtime/);
  });
});
