import { strict as assert } from 'node:assert';
import { abortError } from '../../../src/hosts/local-host.js';
import { AggregateFailure, HostError, PyroError, rootCause } from '../../../src/util/errors.js';

// What the CLI prints when a run stops: the error that stopped it, not the work it cancelled on every host.

describe('rootCause', () => {
  const lost = new HostError('SSH_CONNECTION_LOST', 'h3', 'the SSH connection to h3 was lost: h3 stopped answering (no reply for 12 s)');

  it('work cancelled because a host stopped answering is that host', () => {
    assert.equal(rootCause(abortError('h1', 'restarting kafka-broker', lost)), lost);
  });

  it('failures on every host that all come from one are that one; others stay beside it', () => {
    const all = new AggregateFailure('3 hosts failed', [abortError('h1', 'a', lost), abortError('h2', 'b', lost), lost]);
    assert.equal(rootCause(all), lost);
    const other = new HostError('WRITE_FAILED', 'h2', 'disk full');
    const mixed = rootCause(new AggregateFailure('3 hosts failed', [abortError('h1', 'a', lost), other, lost]));
    assert.ok(mixed instanceof AggregateFailure);
    assert.deepEqual(mixed.errors, [lost, other]);
  });

  it("Ctrl-C's cancellations stay as they are", () => {
    const cancelled = abortError('h1', 'a', new PyroError('INTERRUPTED', 'interrupted'));
    assert.equal(rootCause(cancelled), cancelled);
  });
});
