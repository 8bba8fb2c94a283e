import { strict as assert } from 'node:assert';
import { combine, downgradeRefusal, finalizeUpdates, parseVersionMapping, pendingFinalize, releaseOf } from '../../../src/services/kafka/features.js';

describe('kafka feature levels (upgrades)', () => {
  // What `kafka-features version-mapping --release-version 4.3` prints (Kafka 4.3.1).
  const MAPPING_43 = `metadata.version=30 (4.3)
kraft.version=1
transaction.version=2
group.version=1
eligible.leader.replicas.version=1
share.version=1
streams.version=1
`;
  const finalized42 = {
    'metadata.version': 29,
    'transaction.version': 2,
    'group.version': 1,
    'eligible.leader.replicas.version': 1,
    'share.version': 1,
    'streams.version': 1,
  };

  it('reads version-mapping output, ignoring other lines', () => {
    assert.deepEqual(parseVersionMapping(`[2026] WARN something (x)\n${MAPPING_43}`), {
      'metadata.version': 30,
      'kraft.version': 1,
      'transaction.version': 2,
      'group.version': 1,
      'eligible.leader.replicas.version': 1,
      'share.version': 1,
      'streams.version': 1,
    });
  });

  it('raises only what is below the release, never kraft.version (a static quorum stays static)', () => {
    assert.deepEqual(finalizeUpdates(finalized42, parseVersionMapping(MAPPING_43)), [{ feature: 'metadata.version', from: 29, to: 30 }]);
    // A feature never finalised counts as level 0; metadata.version goes first.
    assert.deepEqual(finalizeUpdates({ 'metadata.version': 27 }, { 'share.version': 1, 'metadata.version': 30, 'kraft.version': 1 }), [
      { feature: 'metadata.version', from: 27, to: 30 },
      { feature: 'share.version', from: 0, to: 1 },
    ]);
    assert.deepEqual(finalizeUpdates({ 'metadata.version': 30, 'group.version': 2 }, { 'metadata.version': 30, 'group.version': 1 }), []);
  });

  it('is pending only when every node supports more than the cluster runs at', () => {
    const node = (max: number) => ({ supported: { 'metadata.version': { min: 7, max } }, finalized: finalized42 });
    assert.equal(pendingFinalize(combine([node(30), node(30), node(30)])), true);
    assert.equal(pendingFinalize(combine([node(30), node(29), node(30)])), false, 'one node still on 4.2');
    assert.equal(pendingFinalize(combine([node(29)])), false);
    assert.equal(combine([node(30), node(29)]).commonMax, 29);
  });

  it('refuses a version below the finalised metadata.version, naming both', () => {
    assert.equal(releaseOf('4.2.2'), '4.2');
    const why = downgradeRefusal('4.2.2', { 'metadata.version': 30 });
    assert.match(why!, /Kafka 4\.2\.2 cannot run this cluster: its metadata\.version is finalised at 30 \(Kafka 4\.3\), and 4\.2 supports up to 29/);
    assert.equal(downgradeRefusal('4.2.2', { 'metadata.version': 29 }), undefined, 'not finalised yet: the way back is open');
    assert.equal(downgradeRefusal('4.3.1', { 'metadata.version': 30 }), undefined);
    assert.equal(downgradeRefusal('5.0.0', { 'metadata.version': 30 }), undefined, 'an unknown release is let through');
  });
});
