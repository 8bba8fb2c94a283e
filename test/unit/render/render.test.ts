import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderEnvFile } from '../../../src/render/env-file.js';
import { renderHadoopXml } from '../../../src/render/hadoop-xml.js';
import { renderProperties } from '../../../src/render/properties.js';

describe('config renderers', () => {
  it('Hadoop XML: sorted, escaped, stable', () => {
    const xml = renderHadoopXml({ 'fs.defaultFS': 'hdfs://nn:8020', 'a.b': '<x & "y">', 'dfs.replication': 3 });
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- Written by pyro; edits are overwritten. Override keys in the inventory. -->\n<configuration>\n' +
        '  <property>\n    <name>a.b</name>\n    <value>&lt;x &amp; &quot;y&quot;&gt;</value>\n  </property>\n' +
        '  <property>\n    <name>dfs.replication</name>\n    <value>3</value>\n  </property>\n' +
        '  <property>\n    <name>fs.defaultFS</name>\n    <value>hdfs://nn:8020</value>\n  </property>\n</configuration>\n',
    );
    assert.equal(renderHadoopXml({ b: 1, a: 2 }), renderHadoopXml({ a: 2, b: 1 }));
  });

  it('properties: sorted key=value that Java reads back unchanged', () => {
    const props = { listeners: 'PLAINTEXT://10.0.0.1:9092', 'odd key': 'a=b:c', '#hash': ' lead space', unicode: 'café', path: 'C:\\dir' };
    const text = renderProperties(props);
    assert.match(text, /^# Written by pyro/);
    // Round trip through java.util.Properties, the parser Kafka, Flume and NiFi use.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-props-'));
    const file = path.join(dir, 'x.properties');
    writeFileSync(file, text);
    writeFileSync(
      path.join(dir, 'Dump.java'),
      'import java.util.*; import java.io.*; public class Dump { public static void main(String[] a) throws Exception { Properties p = new Properties(); try (Reader r = new InputStreamReader(new FileInputStream(a[0]), "ISO-8859-1")) { p.load(r); } new TreeMap<Object,Object>(p).forEach((k, v) -> System.out.println(k + "\\t" + v)); } }',
    );
    const out = execFileSync('java', [path.join(dir, 'Dump.java'), file], { encoding: 'utf8' });
    const back = Object.fromEntries(
      out
        .trimEnd()
        .split('\n')
        .map((l) => l.split('\t') as [string, string]),
    );
    assert.deepEqual(back, props);
  });

  it('env file: shell-quoted exports that sh reads back unchanged', () => {
    const vars = { HADOOP_HEAPSIZE_MAX: '512m', JAVA_OPTS: "-Dx='y z' --add-opens java.base/java.lang=ALL-UNNAMED", PATH_X: '$HOME/x' };
    const text = renderEnvFile(vars);
    const out = execFileSync('sh', ['-c', `${text}\nprintf '%s\\n' "$HADOOP_HEAPSIZE_MAX" "$JAVA_OPTS" "$PATH_X"`], { encoding: 'utf8' });
    assert.deepEqual(out.trimEnd().split('\n'), Object.values(vars));
    assert.throws(() => renderEnvFile({ 'BAD-NAME': 1 }), /not a shell variable name/);
  });
});
