import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadInventory } from '../../../src/services/catalog.js';
import { sparkApps, trackingUrlViaInventory, yarnApp } from '../../../src/services/spark/jobs/yarn-apps.js';

describe('YARN tracking URLs', () => {
  it('take the ResourceManager host from the inventory, keeping port, path and query', async () => {
    const { inventory } = await loadInventory('inventories/three-hosts.yaml');
    const url = (u: string | undefined) => trackingUrlViaInventory(inventory, u);
    assert.equal(url('http://node1.cluster.internal:8088/proxy/application_1700000000000_0002/'), 'http://192.0.2.11:8088/proxy/application_1700000000000_0002/');
    assert.equal(url('http://ip-10-1-2-3:8088/cluster/app/application_1_0001?x=1#y'), 'http://192.0.2.11:8088/cluster/app/application_1_0001?x=1#y');
  });

  it('leave alone what is not on the RM web port, placeholders and absent URLs', async () => {
    const { inventory } = await loadInventory('inventories/three-hosts.yaml');
    const url = (u: string | undefined) => trackingUrlViaInventory(inventory, u);
    assert.equal(url('http://node1:18080/history/application_1_0001/1'), 'http://node1:18080/history/application_1_0001/1');
    assert.equal(url('N/A'), 'N/A');
    assert.equal(url(''), '');
    assert.equal(url(undefined), undefined);
  });

  it('are rewritten in what yarnApp and sparkApps return', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-yarn-apps-'));
    const app = { id: 'application_1_0001', name: 'page-views', state: 'RUNNING', finalStatus: 'UNDEFINED', diagnostics: '', startedTime: 1, elapsedTime: 5, allocatedMB: 1024 };
    let port = 0;
    const server = http.createServer((req, res) => {
      const a = { ...app, trackingUrl: `http://rm.cluster.internal:${port}/proxy/application_1_0001/` };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url?.startsWith('/ws/v1/cluster/apps/') ? { app: a } : { apps: { app: [a] } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
    try {
      const roles = ['hdfs-namenode', 'hdfs-datanode', 'yarn-resourcemanager', 'yarn-nodemanager', 'kafka-controller', 'kafka-broker'];
      const doc = { cluster: { name: 'urls' }, hosts: [{ name: 'h1', address: '127.0.0.1', roles }], services: { yarn: { resourcemanager: { ports: { http: port } } } } };
      writeFileSync(path.join(dir, 'inventory.yaml'), YAML.stringify(doc));
      const { inventory } = await loadInventory(path.join(dir, 'inventory.yaml'));
      const want = `http://127.0.0.1:${port}/proxy/application_1_0001/`;
      assert.equal((await yarnApp(inventory, app.id)).trackingUrl, want);
      assert.deepEqual((await sparkApps(inventory)).map((a) => a.trackingUrl), [want]);
    } finally {
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
