import { strict as assert } from 'node:assert';
import path from 'node:path';
import { evaluateHost } from '../../../src/check/evaluate.js';
import { parseFacts, type HostFacts } from '../../../src/hosts/facts.js';
import { loadInventory } from '../../../src/services/catalog.js';
import type { Inventory } from '../../../src/inventory/types.js';
import { hostNeeds, missingNeeds, probesFor } from '../../../src/prepare/needs.js';
import { ROOT } from '../../helpers/cli.js';

/** A Debian 12 host with everything local.yaml's roles need. */
const GOOD = [
  '@os Linux x86_64',
  '@osrel debian 12 ',
  '@uid 0',
  '@java /usr/bin/java openjdk version "17.0.15" 2025-04-15',
  '@java21 /usr/bin/java openjdk version "17.0.15" 2025-04-15',
  '@python python3 3.11.2',
  '@pyvenv 1 1',
  '@jdk /usr/lib/jvm/java-17-openjdk-amd64 17.0.15',
  '@probe postgresql-server 1',
].join('\n');

describe('prepare: what a host needs and lacks', () => {
  let inv: Inventory;
  before(async () => {
    inv = (await loadInventory(path.join(ROOT, 'inventories', 'local.yaml'))).inventory;
  });

  it("needs follow javaMin, pythonMin and the services' hostPackages", () => {
    const needs = hostNeeds(inv, inv.hosts[0]!);
    assert.deepEqual(
      needs.map((n) => n.id),
      ['java', 'python', 'python-venv', 'postgresql-server'],
    );
    assert.deepEqual(needs.find((n) => n.id === 'python')!.roles, ['yarn-nodemanager', 'superset']);
    assert.deepEqual(
      probesFor(needs).map((p) => p.id),
      ['postgresql-server'],
    );
  });

  it('nothing missing on a prepared host', () => {
    assert.deepEqual(missingNeeds(hostNeeds(inv, inv.hosts[0]!), parseFacts(GOOD, 0, 0), inv.hosts[0]!), []);
  });

  it('finds each missing thing, and a probe not run says nothing', () => {
    const spec = inv.hosts[0]!;
    const bare = parseFacts(['@osrel debian 12 ', '@java java', '@python python3 missing', '@pyvenv ', '@probe postgresql-server 0'].join('\n'), 0, 0);
    const missing = missingNeeds(hostNeeds(inv, spec), bare, spec);
    assert.deepEqual(
      missing.map((m) => [m.id, m.found]),
      [
        ['java', 'no Java at java'],
        ['python', 'no python3'],
        ['python-venv', 'no python3'],
        ['postgresql-server', 'not found'],
      ],
    );
    const unprobed = parseFacts(GOOD.replace('@probe postgresql-server 1', ''), 0, 0);
    assert.deepEqual(missingNeeds(hostNeeds(inv, spec), unprobed, spec), []);
    const noEnsurepip = parseFacts(GOOD.replace('@pyvenv 1 1', '@pyvenv 1 0'), 0, 0);
    assert.match(missingNeeds(hostNeeds(inv, spec), noEnsurepip, spec)[0]!.found, /no ensurepip/);
  });

  it('a JDK already installed but not used: the setting, not a package', () => {
    const spec = inv.hosts[0]!;
    const old = parseFacts(GOOD.replace(/^@java .*$/m, '@java /usr/bin/java openjdk version "11.0.22" 2024-01-16'), 0, 0);
    const [java] = missingNeeds(hostNeeds(inv, spec), old, spec);
    assert.equal(
      java!.blocked,
      'Java 17.0.15 is installed at /usr/lib/jvm/java-17-openjdk-amd64 but is not the java on PATH: set javaHome: /usr/lib/jvm/java-17-openjdk-amd64 in the inventory',
    );
    const set = { ...spec, javaHome: '/opt/jdk11' };
    assert.match(
      missingNeeds(hostNeeds(inv, spec), old, set)[0]!.blocked!,
      /^javaHome is \/opt\/jdk11, without Java 17\+; .* set javaHome: \/usr\/lib\/jvm\/java-17-openjdk-amd64$/,
    );
    // No JDK to point at: installing the package is the way.
    const none: HostFacts = { ...old, jdks: [] };
    assert.equal(missingNeeds(hostNeeds(inv, spec), none, spec)[0]!.blocked, undefined);
  });

  it('pyro check names the package for what is missing, and checks venv and the PostgreSQL server', () => {
    const spec = inv.hosts[0]!;
    const good = parseFacts(GOOD, 0, 0);
    const rows = (f: HostFacts) => evaluateHost(inv, spec, f).filter((r) => ['java', 'python', 'python-venv', 'postgresql-server'].includes(r.check));
    assert.deepEqual(
      rows(good).map((r) => [r.check, r.status]),
      [
        ['java', 'ok'],
        ['python', 'ok'],
        ['python-venv', 'ok'],
        ['postgresql-server', 'ok'],
      ],
    );

    const bad = parseFacts(
      GOOD.replace(/^@java .*$/m, '@java java')
        .replace('@pyvenv 1 1', '@pyvenv 1 0')
        .replace('@probe postgresql-server 1', '@probe postgresql-server 0'),
      0,
      0,
    );
    const got = Object.fromEntries(rows({ ...bad, jdks: [] }).map((r) => [r.check, [r.status, r.hint]]));
    assert.deepEqual(got, {
      java: ['fail', 'install it: apt-get install -y openjdk-17-jre-headless (as root), or let pyro up --prepare do it'],
      python: ['ok', undefined],
      // pyro makes its venvs --without-pip: only plain `python3 -m venv` needs ensurepip.
      'python-venv': ['warn', 'install it: apt-get install -y python3-venv (as root), or let pyro up --prepare do it'],
      'postgresql-server': ['fail', 'install it: apt-get install -y postgresql (as root), or let pyro up --prepare do it'],
    });

    const rocky = parseFacts(
      GOOD.replace('@osrel debian 12 ', '@osrel rocky 9.4 rhel centos fedora').replace('@probe postgresql-server 1', '@probe postgresql-server 0'),
      0,
      0,
    );
    assert.equal(
      rows(rocky).find((r) => r.check === 'postgresql-server')!.hint,
      'install it: dnf install -y postgresql-server (as root), or let pyro up --prepare do it',
    );
  });
});
