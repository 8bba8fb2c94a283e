import { strict as assert } from 'node:assert';
import { HostError } from '../../src/util/errors.js';

/** Awaits `p` and asserts it rejects with a HostError of `code`; returns the error for further checks. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<HostError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof HostError, `expected a HostError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}
