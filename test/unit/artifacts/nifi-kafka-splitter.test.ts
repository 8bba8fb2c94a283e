import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findLocalJdk } from '../../../src/artifacts/local-jdk.js';
import { NIFI_KAFKA_SOURCES } from '../../../src/artifacts/recipes/nifi-kafka.js';

/**
 * Runs each case through the processor's own RecordSplitter: args are (demarcator property value, content file,
 * stop after N records or -1) triples; prints one line per case, the records in base64 joined by ','.
 */
const HARNESS = `package dev.pyro.nifi;
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
public class SplitterHarness {
    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i += 3) {
            int stopAfter = Integer.parseInt(args[i + 2]);
            List<String> out = new ArrayList<>();
            try (InputStream in = new FileInputStream(args[i + 1])) {
                boolean whole = RecordSplitter.split(in, RecordSplitter.demarcatorBytes(args[i]), r -> {
                    out.add(Base64.getEncoder().encodeToString(r));
                    return out.size() != stopAfter;
                });
                System.out.println(String.join(",", out) + (whole ? "" : ";stopped"));
            }
        }
    }
}
`;

describe("pyro's NiFi Kafka publisher: records cut at the demarcator (its Java RecordSplitter)", function () {
  this.timeout(60_000);
  let dir: string;
  // RecordSplitter needs only the JDK (no nifi-api): any javac 17+, the control machine's minimum, compiles it.
  const jdk = findLocalJdk(17, { compiler: true, env: {} });

  before(function () {
    if (!jdk) this.skip();
    dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-splitter-'));
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'src', 'SplitterHarness.java'), HARNESS);
    execFileSync(path.join(jdk!.home, 'bin', 'javac'), [
      '-d',
      path.join(dir, 'classes'),
      path.join(NIFI_KAFKA_SOURCES, 'java', 'dev', 'pyro', 'nifi', 'RecordSplitter.java'),
      path.join(dir, 'src', 'SplitterHarness.java'),
    ]);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The records each [demarcator, content, stopAfter?] case gives, as strings, ';stopped' when the sink stopped. */
  function split(cases: [string, string | Buffer, number?][]): string[][] {
    const args = cases.flatMap(([d, c, stop], i) => {
      const file = path.join(dir, `content-${i}`);
      writeFileSync(file, c);
      return [d, file, String(stop ?? -1)];
    });
    const out = execFileSync(path.join(jdk!.home, 'bin', 'java'), ['-cp', path.join(dir, 'classes'), 'dev.pyro.nifi.SplitterHarness', ...args], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    // One line per case; an empty line is a case without records.
    return out
      .split('\n')
      .slice(0, cases.length)
      .map((line) => {
        const [records, stopped] = line.split(';');
        const got = records ? records.split(',').map((b) => Buffer.from(b, 'base64').toString('utf8')) : [];
        return stopped ? [...got, ';stopped'] : got;
      });
  }

  it('one record per line with \\n (escape or the character itself); a trailing or doubled demarcator adds no empty record', () => {
    assert.deepEqual(
      split([
        ['\\n', 'a\nb\nc\n'],
        ['\n', 'a\nb\n\nc'],
        ['\\r\\n', 'x\r\ny\r\n'],
        ['\\t', 'k\tv'],
      ]),
      [
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
        ['x', 'y'],
        ['k', 'v'],
      ],
    );
  });

  it('multi-byte demarcators, found where a partial match overlaps the real one; \\\\ is a backslash', () => {
    assert.deepEqual(
      split([
        ['aab', 'xaaabyaab'],
        ['||', '1||2|||3'],
        ['\\\\n', 'a\\nb'],
        ['\\q', 'p\\qr'],
        ['€', 'één€twee€'],
      ]),
      [
        ['xa', 'y'],
        ['1', '2', '|3'],
        ['a', 'b'],
        ['p', 'r'],
        ['één', 'twee'],
      ],
    );
  });

  it('content without the demarcator is one record; empty content is none', () => {
    assert.deepEqual(
      split([
        ['\\n', 'no newline here'],
        ['\\n', ''],
      ]),
      [['no newline here'], []],
    );
  });

  it('a record larger than the read chunk stays whole, and 200,000 lines give 200,000 records', () => {
    const big = 'z'.repeat(200_000);
    const lines = Array.from({ length: 200_000 }, (_, i) => `line-${i}`);
    const [first, second] = split([
      ['\\n', `${big}\nend`],
      ['\\n', lines.join('\n') + '\n'],
    ]);
    assert.deepEqual(
      first!.map((r) => r.length),
      [200_000, 3],
    );
    assert.equal(second!.length, 200_000);
    assert.equal(second![199_999], 'line-199999');
  });

  it('stops reading when the sink says so (a record that failed ends its flowfile)', () => {
    assert.deepEqual(split([['\\n', 'a\nb\nc\nd', 2]]), [['a', 'b', ';stopped']]);
  });
});
