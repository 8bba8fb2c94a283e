import { strict as assert } from 'node:assert';
import { DURATION_PATTERN, parseDuration } from '../../../src/util/duration.js';

describe('parseDuration', () => {
  it('reads a number and a unit, with or without a space', () => {
    assert.equal(parseDuration('500 ms'), 500);
    assert.equal(parseDuration('2 seconds'), 2000);
    assert.equal(parseDuration('1s'), 1000);
    assert.equal(parseDuration('1.5 s'), 1500);
    assert.equal(parseDuration('15 min'), 900_000);
    assert.equal(parseDuration('36h'), 129_600_000);
    assert.equal(parseDuration('7 days'), 604_800_000);
    assert.equal(parseDuration('0'), 0);
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['', 'soon', '5', '-1 s', '2 weeks', '1e3 ms', 's']) assert.equal(parseDuration(bad), undefined, bad);
  });

  it('agrees with the schema pattern', () => {
    const re = new RegExp(DURATION_PATTERN);
    for (const text of ['500 ms', '2 seconds', '1s', '0', '7 days', '5', 'soon', '2 weeks', '1.5 h']) {
      assert.equal(re.test(text), parseDuration(text) !== undefined, text);
    }
  });
});
