import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactCache } from '../../src/artifacts/cache.js';
import { ensureArtifact } from '../../src/artifacts/fetch.js';
import { planPush, pushHost, type PushItem } from '../../src/artifacts/push.js';
import { createHosts } from '../../src/hosts/connect.js';
import type { Host } from '../../src/hosts/host.js';
import { loadInventory } from '../../src/services/catalog.js';
import type { HostSpec } from '../../src/inventory/types.js';
import { createTestbed, type Testbed } from '../testbed/testbed.js';

/** A synthetic distribution of `mb` MiB in a few files, cached like a real one. */
async function synthetic(cache: ArtifactCache, version: string, mb: number, hostSetup?: string): Promise<PushItem> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-synth-'));
  mkdirSync(path.join(dir, 'lib'));
  mkdirSync(path.join(dir, 'bin'));
  writeFileSync(path.join(dir, 'bin', 'demo'), `#!/bin/sh\necho demo ${version}\n`, { mode: 0o755 });
  for (let i = 0; i < 4; i++) writeFileSync(path.join(dir, 'lib', `part${i}.jar`), Buffer.alloc((mb * 1048576) / 4, i + version.length));
  const recipe = { component: 'demo', version, title: 'Demo', requiredPaths: ['bin/demo'], hostSetup };
  const { entry } = await ensureArtifact(recipe, { cache, sources: ['local'], files: { demo: dir } });
  return { component: 'demo', version, sha256: entry.sha256, size: entry.size, blob: cache.blobPath(entry.sha256), hostSetup };
}

describe('pushing distributions to simulated hosts over SSH', function () {
  this.timeout(180_000);
  let tb: Testbed;
  let hosts: Host[];
  let specs: HostSpec[];
  let cache: ArtifactCache;
  const temps: string[] = [];

  before(async () => {
    tb = await createTestbed(2);
    const state = mkdtempSync(path.join(os.tmpdir(), 'pyro-push-state-'));
    temps.push(state);
    writeFileSync(path.join(state, 'known_hosts'), '');
    const { inventory } = await loadInventory(tb.inventoryPath);
    specs = inventory.hosts;
    // The testbed's known_hosts has every host key: use it as pyro's file for this cluster.
    hosts = createHosts(specs, { knownHostsFile: tb.knownHosts, trustNewHosts: false });
    temps.push(mkdtempSync(path.join(os.tmpdir(), 'pyro-push-cache-')));
    cache = new ArtifactCache(temps.at(-1)!);
  });
  after(async () => {
    await Promise.allSettled((hosts ?? []).map((h) => h.close()));
    await tb?.destroy();
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  });

  it('pushes into a versioned dir with a current link, then skips it', async () => {
    const v1 = await synthetic(cache, '1.0', 8);
    assert.deepEqual(
      (await planPush(hosts[0]!, specs[0]!, [v1])).map((p) => p.action),
      ['push'],
    );
    assert.deepEqual(
      (await pushHost(hosts[0]!, specs[0]!, [v1])).map((p) => p.action),
      ['push'],
    );
    const r = await tb.ssh('h1', 'readlink /opt/pyro/demo/current; /opt/pyro/demo/current/bin/demo; cat /opt/pyro/demo/1.0/.pyro-artifact; ls /opt/pyro/demo');
    assert.equal(r.stdout, `1.0\ndemo 1.0\n${v1.sha256}\n1.0\ncurrent`);
    assert.deepEqual(
      (await planPush(hosts[0]!, specs[0]!, [v1])).map((p) => p.action),
      ['skip'],
    );
    assert.deepEqual(
      (await pushHost(hosts[0]!, specs[0]!, [v1])).map((p) => p.action),
      ['skip'],
    );
  });

  it('an upgrade keeps the old version; a rollback is only a link switch', async () => {
    const v1 = await synthetic(cache, '1.0', 8);
    const v2 = await synthetic(cache, '2.0', 8);
    await pushHost(hosts[0]!, specs[0]!, [v2]);
    assert.equal((await tb.ssh('h1', '/opt/pyro/demo/current/bin/demo')).stdout, 'demo 2.0');
    assert.deepEqual(
      (await pushHost(hosts[0]!, specs[0]!, [v1])).map((p) => p.action),
      ['link'],
    );
    assert.equal((await tb.ssh('h1', '/opt/pyro/demo/current/bin/demo; ls /opt/pyro/demo | tr "\\n" " "')).stdout, 'demo 1.0\n1.0 2.0 current ');
  });

  it('hosts are independent: h2 gets its own copy', async () => {
    const v1 = await synthetic(cache, '1.0', 8);
    await pushHost(hosts[1]!, specs[1]!, [v1]);
    assert.equal((await tb.ssh('h2', '/opt/pyro/demo/current/bin/demo')).stdout, 'demo 1.0');
  });

  it('damaged bytes are refused and leave nothing behind', async () => {
    const v3 = await synthetic(cache, '3.0', 4);
    const lie = { ...v3, sha256: 'f'.repeat(64) };
    await assert.rejects(pushHost(hosts[0]!, specs[0]!, [lie]), /does not match its checksum/);
    const r = await tb.ssh('h1', 'ls -a /opt/pyro /opt/pyro/demo | tr "\\n" " "; readlink /opt/pyro/demo/current');
    assert.equal(r.stdout, '/opt/pyro: . .. demo  /opt/pyro/demo: . .. 1.0 2.0 current 1.0');
  });

  it('a cancelled push leaves no partial version dir and keeps current', async () => {
    const big = await synthetic(cache, '4.0', 64);
    const ctrl = new AbortController();
    const p = pushHost(hosts[0]!, specs[0]!, [big], {
      signal: ctrl.signal,
      onProgress: (_i, sent) => {
        if (sent > 8 * 1048576) ctrl.abort(new Error('stop'));
      },
    });
    await assert.rejects(p);
    // The remote shell is killed with the channel; give it a moment to run its cleanup trap.
    let listing = '';
    for (let i = 0; i < 20; i++) {
      listing = (await tb.ssh('h1', 'ls -a /opt/pyro /opt/pyro/demo | tr "\\n" " "; readlink /opt/pyro/demo/current')).stdout;
      if (!listing.includes('incoming')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(listing, '/opt/pyro: . .. demo  /opt/pyro/demo: . .. 1.0 2.0 current 1.0');
  });

  it('runs the host setup once, after unpacking, before marking the version complete', async () => {
    const v5 = await synthetic(cache, '5.0', 1, 'echo "setup ran in $(pwd)" > setup.log');
    await pushHost(hosts[0]!, specs[0]!, [v5]);
    assert.equal((await tb.ssh('h1', 'cat /opt/pyro/demo/current/setup.log')).stdout, 'setup ran in /opt/pyro/demo/5.0');
    const failing = await synthetic(cache, '6.0', 1, 'exit 7');
    await assert.rejects(pushHost(hosts[0]!, specs[0]!, [failing]), /host setup failed/);
    assert.equal((await tb.ssh('h1', 'test -e /opt/pyro/demo/6.0 && echo present || echo absent; readlink /opt/pyro/demo/current')).stdout, 'absent\n5.0');
  });
});
