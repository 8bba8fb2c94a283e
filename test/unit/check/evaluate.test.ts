import { strict as assert } from 'node:assert';
import path from 'node:path';
import { evaluateHost } from '../../../src/check/evaluate.js';
import { factsScript, parseFacts, type HostFacts } from '../../../src/hosts/facts.js';
import { loadInventory } from '../../../src/services/catalog.js';
import { ROOT } from '../../helpers/cli.js';

const SAMPLE = [
  '@time 1700000000500',
  '@os Linux x86_64',
  '@distro Debian GNU/Linux 12 (bookworm)',
  '@cpus 8',
  '@mem 32768000 30000000',
  '@java /usr/bin/java openjdk version "17.0.15" 2025-04-15',
  '@java21 /opt/jdk21/bin/java openjdk version "21.0.2" 2024-01-16',
  '@python python3 3.11.7',
  '@df install /opt 52428800',
  '@df data /var/lib 52428800',
  '@df log /var/lib 52428800',
  '@listen 0016',
  '@listen 2384',
].join('\n');

describe('preflight facts and checks', () => {
  it('parses the facts script output', () => {
    const f = parseFacts(SAMPLE, 1700000000000, 1700000000900, 1700000000400);
    assert.equal(f.os, 'Linux');
    assert.equal(f.cpus, 8);
    assert.equal(f.memTotalMb, 32000);
    assert.deepEqual([f.java.major, f.java21.major, f.python.minor], [17, 21, 11]);
    assert.deepEqual(f.listening, [22, 9092]);
    assert.equal(f.clockSkewMs, 100);
    assert.equal(f.disk.install!.freeMb, 51200);
  });

  it('reads Java 8 style versions', () => {
    const f = parseFacts('@java /usr/bin/java java version "1.8.0_392"', 0, 0);
    assert.equal(f.java.major, 8);
  });

  it('the facts script runs in sh and yields the same shape on this machine', async () => {
    const { execa } = await import('execa');
    const { inventory } = await loadInventory(path.join(ROOT, 'inventories', 'local.yaml'));
    const r = await execa('sh', ['-c', factsScript(inventory.hosts[0]!)]);
    const f = parseFacts(r.stdout, Date.now(), Date.now(), Date.now());
    assert.equal(f.os, 'Linux');
    assert.ok(f.cpus >= 1 && f.memTotalMb > 0);
    assert.ok(f.disk.install && f.disk.data && f.disk.log);
    assert.ok(Math.abs(f.clockSkewMs) < 5_000);
  });

  it('flags old Java, busy ports, low memory and clock skew, each with a hint', async () => {
    const { inventory } = await loadInventory(path.join(ROOT, 'inventories', 'local.yaml'));
    const spec = inventory.hosts[0]!;
    const good = parseFacts(SAMPLE, 0, 0, Number('1700000000500'));
    assert.deepEqual(
      evaluateHost(inventory, spec, good).filter((r) => r.status !== 'ok'),
      [
        // SAMPLE lists 9092 as busy: the broker's port.
        {
          host: 'local',
          check: 'ports',
          status: 'fail',
          detail: 'already in use: 9092 (kafka-broker client)',
          hint: `stop what listens there (ss -ltnp) or change the port under services: in ${inventory.file}`,
        },
      ],
    );
    const bad: HostFacts = {
      ...good,
      java: { path: '/usr/bin/java', version: '11.0.2', major: 11 },
      python: { path: 'python3', version: '3.8.10', major: 3, minor: 8 },
      memTotalMb: 2048,
      memAvailableMb: 1024,
      clockSkewMs: -45_000,
      disk: { ...good.disk, data: { path: '/var', freeMb: 100 } },
      listening: [],
    };
    const rows = evaluateHost(inventory, spec, bad).filter((r) => r.status === 'fail');
    assert.deepEqual(rows.map((r) => r.check).sort(), ['clock', 'disk:data', 'java', 'memory', 'python']);
    for (const r of rows) assert.ok(r.hint, `${r.check} has no hint`);
    assert.match(rows.find((r) => r.check === 'java')!.detail, /Java 11\.0\.2 .* need 17\+/);
  });
});
