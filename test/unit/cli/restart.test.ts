import { strict as assert } from 'node:assert';
import { restartRoles } from '../../../src/cli/commands/restart.js';
import { InputError } from '../../../src/util/errors.js';

// What `pyro restart` restarts: roles and services named as users name them, in the inventory's start order.

describe('pyro restart: the roles it names', () => {
  const running = ['hdfs-namenode', 'hdfs-datanode', 'yarn-resourcemanager', 'yarn-nodemanager', 'kafka-controller', 'kafka-broker'];

  it('nothing named: every role; a service: its roles the inventory runs; in start order', () => {
    assert.deepEqual(restartRoles(running, [], 'c.yaml'), running);
    assert.deepEqual(restartRoles(running, ['kafka'], 'c.yaml'), ['kafka-controller', 'kafka-broker']);
    assert.deepEqual(restartRoles(running, ['kafka-broker', 'hdfs'], 'c.yaml'), ['hdfs-namenode', 'hdfs-datanode', 'kafka-broker']);
    // spark-sql is a service with a role the inventory does not run: not a target.
    assert.throws(() => restartRoles(running, ['spark-sql'], 'c.yaml'), InputError);
  });

  it('a typo: an input error naming the file, with the closest name', () => {
    assert.throws(
      () => restartRoles(running, ['kafak-broker'], 'c.yaml'),
      (e: InputError) => /no managed service or role kafak-broker in c\.yaml/.test(e.message) && /did you mean kafka-broker/.test(e.hint ?? ''),
    );
  });
});
