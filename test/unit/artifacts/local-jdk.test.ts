import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findLocalJdk, releaseMajor, requireLocalJdk } from '../../../src/artifacts/local-jdk.js';
import type { PyroError } from '../../../src/util/errors.js';

/** A fake Java home: bin/ with the named tools and a release file. */
function fakeJdk(dir: string, version: string, tools = ['java', 'javac', 'jar']): string {
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  for (const t of tools) writeFileSync(path.join(dir, 'bin', t), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(path.join(dir, 'release'), `IMPLEMENTOR="test"\nJAVA_VERSION="${version}"\n`);
  return dir;
}

describe('artifacts: a JDK on the machine pyro runs on', () => {
  let jvm: string;
  before(() => {
    jvm = mkdtempSync(path.join(os.tmpdir(), 'pyro-jvm-'));
    fakeJdk(path.join(jvm, 'java-17'), '17.0.15');
    fakeJdk(path.join(jvm, 'jre-25'), '25.0.1', ['java']);
    fakeJdk(path.join(jvm, 'jdk-21'), '21.0.9');
    mkdirSync(path.join(jvm, 'broken'));
  });
  after(() => rmSync(jvm, { recursive: true, force: true }));

  it('reads the major version of a release file, old 1.x numbering included', () => {
    assert.equal(releaseMajor('JAVA_VERSION="25.0.1"\n'), 25);
    assert.equal(releaseMajor('IMPLEMENTOR="x"\nJAVA_VERSION="21"\n'), 21);
    assert.equal(releaseMajor('JAVA_VERSION="1.8.0_392"'), 8);
    assert.equal(releaseMajor('nothing here'), 0);
  });

  it('takes the newest qualifying home under the JVM dir; a compiler rules out a runtime alone', () => {
    assert.equal(findLocalJdk(21, { jvmDir: jvm, env: {} })?.home, path.join(jvm, 'jre-25'));
    assert.deepEqual(findLocalJdk(21, { jvmDir: jvm, env: {}, compiler: true }), { home: path.join(jvm, 'jdk-21'), major: 21 });
    assert.equal(findLocalJdk(26, { jvmDir: jvm, env: {} }), undefined);
    assert.equal(findLocalJdk(21, { jvmDir: path.join(jvm, 'absent'), env: {} }), undefined);
  });

  it('$PYRO_JAVA21_HOME wins when set, and is not silently replaced when it does not qualify', () => {
    const env = { PYRO_JAVA21_HOME: path.join(jvm, 'jre-25') };
    assert.equal(findLocalJdk(21, { jvmDir: jvm, env })?.home, path.join(jvm, 'jre-25'));
    assert.equal(findLocalJdk(21, { jvmDir: jvm, env, compiler: true }), undefined);
    assert.throws(
      () => requireLocalJdk(21, 'Building X', { jvmDir: jvm, env }),
      (e: PyroError) =>
        e.code === 'TOOL_MISSING' &&
        /Building X needs a JDK 21\+ with javac and jar/.test(e.message) &&
        /\$PYRO_JAVA21_HOME \(.*jre-25\) is not one/.test(e.message),
    );
  });

  it('without one, the error names the JDK to install and the variable to set', () => {
    assert.throws(
      () => requireLocalJdk(26, 'Building X', { jvmDir: jvm, env: {} }),
      (e: PyroError) =>
        /none under .* and \$PYRO_JAVA21_HOME is not set\): install a JDK 26 or newer/.test(e.message) &&
        /install a JDK 26 or newer/.test(e.hint ?? '') &&
        /PYRO_JAVA21_HOME/.test(e.hint ?? ''),
    );
    assert.equal(requireLocalJdk(21, 'Building X', { jvmDir: jvm, env: {} }).home, path.join(jvm, 'jdk-21'));
  });
});
