import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gatherFacts, parseFacts } from '../../../src/hosts/facts.js';
import { shellQuote, type ExecOptions, type ExecResult, type Host } from '../../../src/hosts/host.js';
import { LocalHost } from '../../../src/hosts/local-host.js';
import { loadInventory } from '../../../src/services/catalog.js';
import type { Inventory } from '../../../src/inventory/types.js';
import { prepareHost, prepareHosts, prepareProbes } from '../../../src/prepare/prepare-host.js';
import { NO_ROOT_EXIT, prepareScript } from '../../../src/prepare/script.js';
import { type AggregateFailure, type HostError } from '../../../src/util/errors.js';
import { ROOT } from '../../helpers/cli.js';

/** A host whose exec answers from a script and records every command. */
class ScriptedHost implements Host {
  readonly address = 'fake';
  readonly commands: string[] = [];
  constructor(
    readonly name: string,
    private readonly answer: (cmd: string) => ExecResult,
  ) {}
  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.commands.push(command);
    const r = this.answer(command);
    opts.onStdout?.(Buffer.from(r.stdout));
    return r;
  }
  async writeFile(): Promise<void> {
    throw new Error('not used');
  }
  async readFile(): Promise<Buffer> {
    throw new Error('not used');
  }
  async sha256(): Promise<string | null> {
    return null;
  }
}

/** Counts the commands a real host runs, to prove that nothing ran. */
class CountingHost extends LocalHost {
  readonly commands: string[] = [];
  override exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    this.commands.push(command);
    return super.exec(command, opts);
  }
}

const DEBIAN = ['@osrel debian 12 ', '@uid 1000', '@java /usr/bin/java openjdk version "17.0.15" 2025-04-15', '@python python3 3.11.2', '@pyvenv 1 1'];

describe('prepare: the executor', () => {
  let inv: Inventory;
  before(async () => {
    inv = (await loadInventory(path.join(ROOT, 'inventories', 'local.yaml'))).inventory;
  });

  it('on this machine (Java 17, Python venv and PostgreSQL present): nothing to install, and nothing run', async function () {
    this.timeout(30_000);
    // What the brief's machine has; a machine without them would rightly plan an install instead.
    assert.ok(existsSync('/usr/lib/postgresql'), 'this test needs the PostgreSQL server installed on this machine');
    const spec = inv.hosts[0]!;
    const host = new CountingHost({ name: spec.name });
    const facts = await gatherFacts(host, spec, undefined, prepareProbes(inv, spec));
    assert.equal(facts.probes['postgresql-server'], true);
    host.commands.length = 0;
    const lines: string[] = [];
    const r = await prepareHost(host, spec, facts, inv, { log: (l) => lines.push(l) });
    assert.equal(r.status, 'nothing-missing');
    assert.deepEqual([r.missing, r.packages, r.commands, r.unresolved], [[], [], [], []]);
    assert.deepEqual(host.commands, [], 'prepareHost ran a command although nothing was missing');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^\S.*: nothing missing, nothing to install$/);
  });

  it('prepareHosts on this machine: facts first, then nothing to install', async function () {
    this.timeout(30_000);
    const spec = inv.hosts[0]!;
    const lines: string[] = [];
    const results = await prepareHosts(inv, new Map([[spec.name, new LocalHost({ name: spec.name })]]), { log: (h, l) => lines.push(`${h}: ${l}`) });
    assert.deepEqual(
      results.map((r) => [r.host, r.status]),
      [['local', 'nothing-missing']],
    );
    assert.match(lines.join('\n'), /^local: .*nothing to install$/);
  });

  it('installs in one exec through sudo -n, streams apt, then re-checks as the user', async () => {
    const spec = inv.hosts[0]!;
    const before = parseFacts([...DEBIAN, '@probe postgresql-server 0'].join('\n'), 0, 0);
    const host = new ScriptedHost('local', () => ({
      exitCode: 0,
      stderr: '',
      stdout: ['Reading package lists...', 'Setting up postgresql (15+248) ...', '@@pyro-recheck 0', ...DEBIAN, '@probe postgresql-server 1', ''].join('\n'),
    }));
    const lines: string[] = [];
    const r = await prepareHost(host, spec, before, inv, { log: (l) => lines.push(l) });
    assert.equal(host.commands.length, 1);
    const script = host.commands[0]!;
    assert.match(script, /sudo -n sh -c "\$S"/);
    assert.match(script, /apt-get update\nDEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends .* postgresql'/);
    assert.ok(script.indexOf('@@pyro-recheck') < script.indexOf('@probe postgresql-server'), 'the re-check runs after the install');
    assert.deepEqual([r.status, r.packages, r.met, r.unresolved], ['installed', ['postgresql'], ['PostgreSQL server'], []]);
    assert.ok(lines.includes('Setting up postgresql (15+248) ...'));
    assert.ok(!lines.some((l) => l.startsWith('@')), 'the re-check output is not logged');
    assert.match(lines.at(-1)!, /installed postgresql; now present: PostgreSQL server/);
  });

  it('a dry run reports the plan and runs nothing', async () => {
    const spec = inv.hosts[0]!;
    const facts = parseFacts([...DEBIAN, '@pyvenv 1 0', '@probe postgresql-server 0'].join('\n'), 0, 0);
    const host = new ScriptedHost('local', () => assert.fail('ran a command in a dry run'));
    const lines: string[] = [];
    const r = await prepareHost(host, spec, facts, inv, { dryRun: true, log: (l) => lines.push(l) });
    assert.deepEqual([r.status, r.packages], ['planned', ['python3-venv', 'postgresql']]);
    assert.equal(
      r.commands.at(-1),
      'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 python3-venv postgresql',
    );
    assert.match(lines.join('\n'), /would install python3-venv postgresql:\n {2}.*create_main_cluster/);
  });

  it('what is still missing after the install comes back with its hint', async () => {
    const spec = inv.hosts[0]!;
    const facts = parseFacts([...DEBIAN, '@probe postgresql-server 0'].join('\n'), 0, 0);
    const host = new ScriptedHost('local', () => ({
      exitCode: 0,
      stderr: '',
      stdout: ['@@pyro-recheck 0', ...DEBIAN, '@probe postgresql-server 0'].join('\n'),
    }));
    const r = await prepareHost(host, spec, facts, inv, { log: () => undefined });
    assert.deepEqual(r.met, []);
    assert.deepEqual(
      r.unresolved.map((u) => u.id),
      ['postgresql-server'],
    );
  });

  it('neither root nor sudo -n: a HostError naming the host, with the commands to run by hand', async () => {
    const spec = inv.hosts[0]!;
    const facts = parseFacts([...DEBIAN, '@probe postgresql-server 0'].join('\n'), 0, 0);
    const host = new ScriptedHost('db1', () => ({ exitCode: NO_ROOT_EXIT, stdout: `@@pyro-recheck ${NO_ROOT_EXIT}\n`, stderr: 'pyro: deploy is not root' }));
    await assert.rejects(prepareHost(host, spec, facts, inv, { log: () => undefined }), (e: HostError) => {
      assert.equal(e.code, 'PREPARE_NO_ROOT');
      assert.equal(e.host, 'db1');
      assert.match(e.message, /cannot install packages on db1/);
      assert.match(e.hint!, /ssh\.user: root.*sudo without a password.*\n {2}.*apt-get update/s);
      return true;
    });
  });

  it('a failing package manager: PREPARE_FAILED with the tail of its output', async () => {
    const spec = inv.hosts[0]!;
    const facts = parseFacts([...DEBIAN, '@probe postgresql-server 0'].join('\n'), 0, 0);
    const host = new ScriptedHost('db1', () => ({ exitCode: 100, stdout: 'E: Unable to locate package postgresql\n@@pyro-recheck 100\n', stderr: '' }));
    await assert.rejects(prepareHost(host, spec, facts, inv, { log: () => undefined }), (e: HostError) => {
      assert.equal(e.code, 'PREPARE_FAILED');
      assert.match(e.message, /installing postgresql on db1 failed \(exit 100\):\nE: Unable to locate package postgresql/);
      return true;
    });
  });

  it('prepareHosts reports every failed host at once', async () => {
    const spec = inv.hosts[0]!;
    const broken = new ScriptedHost(spec.name, () => ({ exitCode: 0, stderr: '', stdout: [...DEBIAN, '@probe postgresql-server 0'].join('\n') }));
    // Facts say PostgreSQL is missing; the install's exec then prints no re-check marker: a failure.
    await assert.rejects(prepareHosts(inv, new Map([[spec.name, broken]]), { log: () => undefined }), (e: AggregateFailure) => {
      assert.match(e.message, /^preparing hosts failed on 1 host:\n {2}- local: installing postgresql on local failed/);
      return true;
    });
  });

  it('the script on this machine: as root it installs and re-checks; as a user without sudo it stops before anything', async function () {
    this.timeout(30_000);
    const host = new LocalHost({ name: 'local' });
    const script = prepareScript(['echo "installing as $(id -u)"'], 'echo "@uid $(id -u)"');
    const asMe = await host.exec(script);
    assert.equal(asMe.exitCode, 0);
    if (process.getuid!() !== 0 || !existsSync('/usr/bin/setpriv')) this.skip();
    assert.match(asMe.stdout, /^installing as 0\n@@pyro-recheck 0\n@uid 0\n$/);
    // nobody: not root; sudo is absent or asks for a password.
    const asNobody = await host.exec(`setpriv --reuid=65534 --regid=65534 --clear-groups sh -c ${shellQuote(script)}`);
    assert.equal(asNobody.exitCode, NO_ROOT_EXIT);
    assert.doesNotMatch(asNobody.stdout, /installing/);
    assert.match(asNobody.stderr, /is not root and sudo -n asks for a password/);
  });
});
