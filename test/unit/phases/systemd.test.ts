import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadInventory } from '../../../src/services/catalog.js';
import type { Inventory } from '../../../src/inventory/types.js';
import { desiredFor } from '../../../src/phases/desired.js';
import { HOST_PRELUDE } from '../../../src/phases/host-sh.js';
import { parseState, stateScript } from '../../../src/phases/host-state.js';
import { planInstance } from '../../../src/phases/plan.js';
import { nodeKey } from '../../../src/services/kafka/endpoints.js';
import type { ClusterIds } from '../../../src/state/cluster-state.js';
import { HostError } from '../../../src/util/errors.js';

// `supervisor: systemd`: rendered units and the refusal on a host without systemd. This machine (like the test
// bed) has no systemd, so starting a unit for real is not covered here.
describe('supervisor: systemd', () => {
  let inv: Inventory;
  let ids: ClusterIds;
  const hasSystemd = existsSync('/run/systemd/system');

  before(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-sd-'));
    const file = path.join(dir, 'inv.yaml');
    writeFileSync(
      file,
      readFileSync('inventories/three-hosts.yaml', 'utf8')
        .replaceAll(': ../', `: ${process.cwd()}/`)
        .replace('  dataDir: /var/lib/pyro\n', '  dataDir: /var/lib/pyro\n  supervisor: systemd\n'),
    );
    inv = (await loadInventory(file)).inventory;
    const kafka = inv.instances.filter((i) => i.def.component === 'kafka');
    ids = { hdfsClusterId: 'CID-x', kafkaClusterId: 'abc', kafkaNodeIds: Object.fromEntries(kafka.map((k, n) => [nodeKey(k), n + 1])) };
  });

  it("renders a unit per instance into its conf dir, running run.sh with the role's stop grace", () => {
    const broker = inv.instances.find((i) => i.host.name === 'node2' && i.def.role === 'kafka-broker')!;
    assert.equal(broker.host.supervisor, 'systemd');
    const d = desiredFor(inv, broker, ids);
    assert.equal(d.unit, 'pyro-analytics-kafka-broker.service');
    const unit = d.files[d.unit]!;
    assert.match(unit, /^ExecStart=\/bin\/sh \/opt\/pyro\/conf\/kafka-broker\/run\.sh$/m);
    assert.match(unit, /^StandardOutput=append:\/var\/lib\/pyro\/logs\/kafka-broker\/kafka-broker\.out$/m);
    assert.match(unit, /^TimeoutStopSec=120$/m);
    assert.match(unit, /^Restart=on-failure$/m);
    // The SSH user is `pyro`, not root: a user unit.
    assert.match(unit, /^WantedBy=default\.target$/m);
    assert.match(stateScript(broker.host, [d]), /pyro_sd_state kafka-broker pyro-analytics-kafka-broker\.service /);
  });

  it("a NodeManager's unit signals only its main process: its containers outlive a restart (recovery); others kill the group", () => {
    const nm = inv.instances.find((i) => i.host.name === 'node2' && i.def.role === 'yarn-nodemanager')!;
    const d = desiredFor(inv, nm, ids);
    assert.match(d.files[d.unit!]!, /^KillMode=process$/m);
    const broker = inv.instances.find((i) => i.host.name === 'node2' && i.def.role === 'kafka-broker')!;
    const b = desiredFor(inv, broker, ids);
    assert.doesNotMatch(b.files[b.unit!]!, /KillMode/);
  });

  it('a host without systemd is refused before anything starts, with a hint', function () {
    if (hasSystemd) this.skip(); // the refusal needs a machine without systemd, like this test's usual one
    const nn = inv.instances.find((i) => i.def.role === 'hdfs-namenode')!;
    const d = desiredFor(inv, nn, ids);
    const out = execFileSync('sh', ['-c', `${HOST_PRELUDE}\npyro_sd_state hdfs-namenode ${d.unit} /nonexistent/hash`], { encoding: 'utf8' });
    const st = parseState(out, []);
    assert.deepEqual(st.noSystemd, ['hdfs-namenode']);
    assert.throws(
      () => planInstance(d, st),
      (e: unknown) => e instanceof HostError && e.code === 'SYSTEMD_MISSING' && /supervisor: pyro/.test(e.hint ?? ''),
    );
    const start = execFileSync('sh', ['-c', `${HOST_PRELUDE}\npyro_sd_start hdfs-namenode /tmp /tmp ${d.unit} /tmp/h x 1 || true`], { encoding: 'utf8' });
    assert.match(start, /^@fail hdfs-namenode supervisor systemd: systemd is not running on this host$/m);
  });
});
