import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPyro } from '../../helpers/cli.js';

// `pyro produce --to-file` picks the file and the host from the inventory's taildir sources, and refuses what it
// cannot decide before it connects anywhere (the addresses below are TEST-NET: nothing answers there).

function inventory(flume: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-produce-'));
  const file = path.join(dir, 'inv.yaml');
  writeFileSync(
    file,
    `cluster: { name: produce-test }
hosts:
  - { name: a, address: 192.0.2.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker, flume] }
  - { name: b, address: 192.0.2.2, roles: [flume] }
services:
  flume:
${flume}
topics: [{ name: access }]
`,
  );
  return file;
}

describe('pyro produce --to-file: which file, on which host', () => {
  it('no agent tails a file: exit 2, with how to declare one', async () => {
    const r = await runPyro(['produce', '--to-file', '-i', inventory('    sources: [{ name: web, type: http, topic: access, port: 8081 }]')]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /no flume agent in .*inv\.yaml tails a file/);
    assert.match(r.stderr, /taildir source/);
  });

  it('two agents tail the file: exit 2, asking for --host', async () => {
    const r = await runPyro([
      'produce',
      '--to-file',
      '-i',
      inventory('    sources: [{ name: acc, type: taildir, topic: access, paths: [/var/log/web/access.log] }]'),
    ]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /\/var\/log\/web\/access\.log is tailed on a, b: choose one/);
    assert.match(r.stderr, /--host a/);
  });

  it('a relative path, or a host the inventory does not have: exit 2', async () => {
    const inv = inventory('    sources: [{ name: acc, type: taildir, topic: access, paths: [/var/log/web/access.log] }]');
    const rel = await runPyro(['produce', '--to-file', 'logs/access.log', '-i', inv]);
    assert.equal(rel.exitCode, 2, rel.stderr);
    assert.match(rel.stderr, /--to-file logs\/access\.log is not an absolute path/);
    const host = await runPyro(['produce', '--to-file', '--host', 'zz', '-i', inv]);
    assert.equal(host.exitCode, 2, host.stderr);
    assert.match(host.stderr, /no host zz in/);
  });
});
