import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { initCommand } from '../../../src/cli/commands/init.js';
import type { RunContext } from '../../../src/cli/context.js';
import { parseHostList, proposeLayout } from '../../../src/init/layout.js';
import { COMPONENT_SPECS, loadInventory } from '../../../src/services/catalog.js';
import { Output } from '../../../src/ui/output.js';
import { inquirerPrompts, type Prompts } from '../../../src/ui/prompts.js';
import { runPyro } from '../../helpers/cli.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'pyro-init-'));

function ctx(interactive: boolean): RunContext & { text: () => string } {
  const buf = new PassThrough();
  let text = '';
  buf.on('data', (c: Buffer) => (text += c.toString()));
  return { out: new Output({ stdout: buf, stderr: buf }), signal: new AbortController().signal, interactive, text: () => text };
}

/** Answers prompts from a script, recording what was asked. */
function scripted(answers: Record<string, unknown>): Prompts & { asked: string[] } {
  const asked: string[] = [];
  const answer = <T>(message: string, fallback: T): T => {
    asked.push(message);
    const key = Object.keys(answers).find((k) => message.includes(k));
    if (key === undefined) return fallback;
    const v = answers[key];
    return (typeof v === 'function' ? (v as () => T)() : v) as T;
  };
  return {
    asked,
    text: async (m, o) => answer(m, o?.default ?? ''),
    confirm: async (m, d) => answer(m, d ?? true),
    choose: async (m, c) => answer(m, c[0]!.value),
    pick: async (m, c) =>
      answer(
        m,
        c.filter((x) => x.checked).map((x) => x.value),
      ),
  };
}

describe('pyro init', () => {
  it('proposes a valid layout for 1 to 7 hosts', async () => {
    const dir = tmp();
    for (let n = 1; n <= 7; n++) {
      const hosts = parseHostList(Array.from({ length: n }, (_, i) => `10.1.0.${i + 1}`).join(','));
      const layout = proposeLayout(hosts, COMPONENT_SPECS);
      const controllers = layout.hosts.filter((h) => h.roles.includes('kafka-controller')).length;
      assert.equal(controllers % 2, 1, `n=${n}: odd quorum`);
      const file = path.join(dir, `n${n}.yaml`);
      await initCommand({ output: file, hosts: hosts.map((h) => `${h.name}=${h.address}`).join(','), yes: true, user: 'pyro' }, ctx(false), async () =>
        assert.fail('no prompts'),
      );
      const { inventory } = await loadInventory(file);
      assert.equal(inventory.hosts.length, n);
    }
  });

  it('places roles as each role declares: masters and serving first, a quorum of 3, workers, Flume on the second host', () => {
    const roles = (n: number) =>
      proposeLayout(parseHostList(Array.from({ length: n }, (_, i) => `10.1.0.${i + 1}`).join(',')), COMPONENT_SPECS).hosts.map((h) => h.roles);
    const workers = ['hdfs-datanode', 'yarn-nodemanager', 'kafka-broker'];
    const sorted = (xs: string[]) => [...xs].sort();
    assert.deepEqual(roles(1).map(sorted), [
      sorted(['hdfs-namenode', 'yarn-resourcemanager', 'kafka-controller', ...workers, 'postgresql', 'superset', 'flume']),
    ]);
    assert.deepEqual(roles(3).map(sorted), [
      sorted(['hdfs-namenode', 'yarn-resourcemanager', 'kafka-controller', ...workers, 'postgresql', 'superset']),
      sorted(['kafka-controller', ...workers, 'flume']),
      sorted(['kafka-controller', ...workers]),
    ]);
    const five = roles(5).map(sorted);
    assert.deepEqual(five[0], sorted(['hdfs-namenode', 'yarn-resourcemanager', 'kafka-controller', 'postgresql', 'superset']));
    assert.deepEqual(five[4], sorted(workers));
  });

  it('parses name=address and bare addresses', () => {
    assert.deepEqual(parseHostList('a=10.0.0.1, 10.0.0.2'), [
      { name: 'a', address: '10.0.0.1' },
      { name: 'node2', address: '10.0.0.2' },
    ]);
  });

  it('--yes --hosts writes a valid inventory with the editor schema line; refuses to overwrite without --force', async () => {
    const dir = tmp();
    const out = path.join(dir, 'prod.yaml');
    const args = ['init', '--yes', '--name', 'prod', '--hosts', 'n1=10.9.0.1,n2=10.9.0.2,n3=10.9.0.3', '--user', 'deploy', '--identity', '/keys/id', '-o', out];
    const first = await runPyro(args);
    assert.equal(first.exitCode, 0, first.stderr);
    const text = readFileSync(out, 'utf8');
    assert.match(text.split('\n')[0]!, /^# yaml-language-server: \$schema=.*inventory\.schema\.json$/);
    const { inventory } = await loadInventory(out);
    assert.equal(inventory.clusterName, 'prod');
    assert.deepEqual(
      inventory.hosts.map((h) => h.ssh),
      Array(3).fill({ user: 'deploy', identity: '/keys/id' }),
    );
    const again = await runPyro(args);
    assert.equal(again.exitCode, 2);
    assert.match(again.stderr, /already exists; not overwriting it/);
    assert.match(again.stderr, /hint: pass --force/);
    assert.equal(readFileSync(out, 'utf8'), text);
    const forced = await runPyro([...args, '--force']);
    assert.equal(forced.exitCode, 0, forced.stderr);
  });

  it('without a terminal it names the missing flag instead of prompting', async () => {
    const dir = tmp();
    const r = await runPyro(['init', '-o', path.join(dir, 'x.yaml')], { timeoutMs: 20_000 });
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /missing --hosts: the hosts to manage, and there is no terminal to ask on/);
    assert.match(r.stderr, /hint: pass --hosts/);
    assert.equal(existsSync(path.join(dir, 'x.yaml')), false);
  });

  it('--dry-run prints the inventory and writes nothing', async () => {
    const dir = tmp();
    const r = await runPyro(['init', '--yes', '--local', '--dry-run', '-o', path.join(dir, 'l.yaml')]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /connection: local/);
    assert.equal(existsSync(path.join(dir, 'l.yaml')), false);
  });

  it('bad --hosts and a bad --name are input errors', async () => {
    const r = await runPyro(['init', '--yes', '--hosts', 'Bad_Host=1.2.3.4', '--dry-run']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /host name "Bad_Host"/);
    const n = await runPyro(['init', '--yes', '--local', '--name', 'X', '--dry-run']);
    assert.equal(n.exitCode, 2);
    assert.match(n.stderr, /cluster name "X" is not valid/);
  });

  it('the wizard loops on an invalid edit and writes once the layout is valid', async () => {
    const dir = tmp();
    const out = path.join(dir, 'wiz.yaml');
    let round = 0;
    const p = scripted({
      'Cluster name': 'wizard',
      Hosts: 'a=10.5.0.1,b=10.5.0.2',
      'SSH user': 'ops',
      'SSH private key': '',
      'Use this role layout?': () => (round++ < 2 ? 'edit' : 'accept'),
      'Roles of b': () => (round === 1 ? ['hdfs-namenode', 'hdfs-datanode'] : ['hdfs-datanode', 'kafka-broker']),
    });
    const c = ctx(true);
    await initCommand({ output: out }, c, async () => p);
    for (const q of ['Cluster name', 'Hosts', 'SSH user', 'SSH private key'])
      assert.ok(
        p.asked.some((m) => m.includes(q)),
        q,
      );
    assert.match(c.text(), /that layout is not valid/);
    assert.match(c.text(), /hdfs-namenode is on 2 hosts/);
    const { inventory } = await loadInventory(out);
    assert.deepEqual(inventory.hosts.find((h) => h.name === 'b')!.roles, ['hdfs-datanode', 'kafka-broker']);
    assert.deepEqual(inventory.hosts[0]!.ssh, { user: 'ops' });
  });

  it('drives the real inquirer prompts through a stream', async function () {
    this.timeout(20_000);
    const dir = tmp();
    const out = path.join(dir, 'streamed.yaml');
    const input = new PassThrough();
    let screen = '';
    // Each prompt ends its output stream when it closes; a terminal can't be ended, so neither can this one.
    const output = new (class extends Writable {
      override _write(chunk: Buffer, _enc: string, cb: () => void) {
        screen += chunk.toString();
        cb();
      }
      override end(): this {
        return this;
      }
    })();
    const type = async (wait: string, keys: string) => {
      for (let i = 0; i < 200 && !screen.includes(wait); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(screen.includes(wait), `prompt "${wait}" never appeared:\n${screen}`);
      screen = '';
      input.write(keys);
    };
    const done = initCommand({ output: out }, ctx(true), async () => inquirerPrompts({ input, output }));
    await type('Cluster name', 'streamed\r');
    await type('Hosts', 'x=10.6.0.1\r');
    await type('SSH user', '\r');
    await type('SSH private key', '\r');
    await type('Use this role layout?', '\r');
    await done;
    const { inventory } = await loadInventory(out);
    assert.equal(inventory.clusterName, 'streamed');
    assert.equal(inventory.hosts[0]!.address, '10.6.0.1');
  });

  it('writes atomically: no temp files are left next to the output', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'keep.txt'), 'x');
    await initCommand({ output: path.join(dir, 'i.yaml'), local: true, yes: true }, ctx(false), async () => assert.fail());
    const { readdirSync } = await import('node:fs');
    assert.deepEqual(readdirSync(dir).sort(), ['i.yaml', 'keep.txt']);
  });
});
