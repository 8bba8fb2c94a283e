import { strict as assert } from 'node:assert';
import { diffConfig } from '../../../src/phases/config-diff.js';
import { renderHadoopXml } from '../../../src/render/hadoop-xml.js';
import { renderProperties } from '../../../src/render/properties.js';

describe('diffConfig', () => {
  it('reports a file the host does not have yet as new', () => {
    assert.deepEqual(diffConfig('server.properties', undefined, 'a=1\n'), ['(new file)']);
  });

  it('reports nothing for identical content', () => {
    const text = renderProperties({ a: 1, b: 'x' });
    assert.deepEqual(diffConfig('server.properties', text, text), []);
  });

  it('properties: added, changed and removed keys, ignoring comments', () => {
    const before = renderProperties({ 'node.id': 1, 'log.retention.hours': 168, 'num.partitions': 1 });
    const after = renderProperties({ 'node.id': 1, 'log.retention.hours': 72, 'auto.create.topics.enable': false });
    const d = diffConfig('server.properties', before, after);
    assert.deepEqual([...d].sort(), ['+auto.create.topics.enable=false', '-num.partitions', 'log.retention.hours: 168 -> 72'].sort());
  });

  it('properties: only comments or order differ -> formatting only', () => {
    assert.deepEqual(diffConfig('x.properties', '# old\nb=2\na=1\n', '# new\na=1\n\nb=2\n'), ['(formatting only)']);
  });

  it('Hadoop XML: key-level diff rather than a line diff of the markup', () => {
    const before = renderHadoopXml({ 'dfs.replication': 3, 'dfs.blocksize': 134217728, 'dfs.old': 'x' });
    const after = renderHadoopXml({ 'dfs.replication': 2, 'dfs.blocksize': 134217728, 'dfs.new': 'y' });
    const d = diffConfig('hdfs-site.xml', before, after);
    assert.deepEqual([...d].sort(), ['+dfs.new=y', '-dfs.old', 'dfs.replication: 3 -> 2'].sort());
  });

  it('plain text (run.sh): lines only in the old file, then lines only in the new one', () => {
    const before = '#!/bin/sh\nexport A=1\nexec java -Xmx512m Main\n';
    const after = '#!/bin/sh\nexport A=1\nexport B=2\nexec java -Xmx1024m Main\n';
    assert.deepEqual(diffConfig('run.sh', before, after), ['-exec java -Xmx512m Main', '+export B=2', '+exec java -Xmx1024m Main']);
  });
});
