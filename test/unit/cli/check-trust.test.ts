import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import YAML from 'yaml';
import { checkCommand } from '../../../src/cli/commands/check.js';
import type { RunContext } from '../../../src/cli/context.js';
import { acceptedKeyLine, type AcceptedKey } from '../../../src/hosts/known-hosts.js';
import { readHistory } from '../../../src/state/history.js';
import { clusterStateDir, knownHostsFile } from '../../../src/state/paths.js';
import { Output } from '../../../src/ui/output.js';
import { ExitError } from '../../../src/util/errors.js';
import { sshdAvailable, startSshd, type Sshd } from '../hosts/sshd-fixture.js';

describe('acceptedKeyLine', () => {
  it('names the host, the key algorithm, the SHA256 fingerprint and the endpoint, on one line', () => {
    const k: AcceptedKey = { host: 'nn1', endpoint: '10.0.0.11:22', keyType: 'ssh-ed25519', fingerprint: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s' };
    assert.equal(acceptedKeyLine(k), 'nn1: accepted new host key ssh-ed25519 SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s (10.0.0.11:22)');
    assert.equal(
      acceptedKeyLine({ ...k, label: 'nn1 (bastion b1)', endpoint: 'b1:2200' }),
      'nn1 (bastion b1): accepted new host key ssh-ed25519 SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s (b1:2200)',
    );
  });
});

describe('pyro check --trust-new-hosts against a real sshd', function () {
  this.timeout(60_000);
  const CLUSTER = 'trust-test';
  let sshd: Sshd;
  let tmp: string;
  let inventory: string;
  const saved = { PYRO_STATE_DIR: process.env.PYRO_STATE_DIR, HOME: process.env.HOME };

  before(async () => {
    if (!sshdAvailable()) throw new Error('/usr/sbin/sshd is missing: install openssh-server (CI does)');
    sshd = await startSshd();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pyro-check-trust-'));
    // No ~/.ssh of the user running the tests: its config or known_hosts must not decide anything here.
    process.env.HOME = path.join(tmp, 'home');
    process.env.PYRO_STATE_DIR = path.join(tmp, 'state');
    inventory = path.join(tmp, 'inventory.yaml');
    const roles = ['hdfs-namenode', 'hdfs-datanode', 'yarn-resourcemanager', 'yarn-nodemanager', 'kafka-controller', 'kafka-broker'];
    const doc = {
      cluster: { name: CLUSTER },
      hosts: [{ name: 'n1', address: '127.0.0.1', ssh: { port: sshd.port, user: sshd.user, identity: sshd.clientKey }, roles }],
      services: { hdfs: { replication: 1 } },
    };
    writeFileSync(inventory, YAML.stringify(doc));
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await sshd?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Runs the command; failed checks (no Java on this machine, say) are not this test's concern. */
  async function check(json: boolean): Promise<{ stdout: string; stderr: string }> {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (c: Buffer) => (stdout += c.toString()));
    err.on('data', (c: Buffer) => (stderr += c.toString()));
    const ctx: RunContext = { out: new Output({ json, stdout: out, stderr: err }), signal: new AbortController().signal, interactive: false };
    try {
      await checkCommand({ inventory, json, trustNewHosts: true }, ctx);
    } catch (e) {
      if (!(e instanceof ExitError)) throw e;
    }
    return { stdout, stderr };
  }

  it('prints each accepted key, records it in the history, and lists it in --json', async () => {
    const hostPub = path.join(sshd.dir, 'host_ed25519.pub');
    const fp = execFileSync('ssh-keygen', ['-lf', hostPub], { encoding: 'utf8' }).split(' ')[1]!;
    const line = `n1: accepted new host key ssh-ed25519 ${fp} (127.0.0.1:${sshd.port})`;

    const first = await check(false);
    assert.ok(first.stdout.split('\n').includes(line), first.stdout + first.stderr);
    const history = await readHistory(clusterStateDir(CLUSTER));
    assert.equal(history.length, 1);
    assert.equal(history[0]!.command, 'check --trust-new-hosts');
    assert.deepEqual(history[0]!.changes, [line]);

    // Known now: nothing accepted, nothing recorded.
    const again = JSON.parse((await check(true)).stdout) as { acceptedKeys: AcceptedKey[] };
    assert.deepEqual(again.acceptedKeys, []);
    assert.equal((await readHistory(clusterStateDir(CLUSTER))).length, 1);

    rmSync(knownHostsFile(CLUSTER));
    const json = JSON.parse((await check(true)).stdout) as { acceptedKeys: AcceptedKey[] };
    assert.deepEqual(json.acceptedKeys, [{ host: 'n1', endpoint: `127.0.0.1:${sshd.port}`, keyType: 'ssh-ed25519', fingerprint: fp }]);
    assert.equal((await readHistory(clusterStateDir(CLUSTER))).length, 2);
  });
});
