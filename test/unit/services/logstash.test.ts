import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Inventory } from '../../../src/inventory/types.js';
import { unmanagedRoles } from '../../../src/phases/desired.js';
import { serviceByRole } from '../../../src/services/catalog.js';
import type { LogstashApi } from '../../../src/services/logstash/monitoring-api.js';
import { probeFromApi } from '../../../src/services/logstash/probes.js';
import { instanceReport, logstashSummary } from '../../../src/services/logstash/status.js';
import { ROOT } from '../../helpers/cli.js';
import { optionsOf, readLscl, type LsclPlugin } from '../../helpers/lscl.js';
import { execArgv, instanceOf, inventoryFromYaml, javaProps, renderOn } from '../../helpers/rendered.js';

// What a Logstash renders (logstash.yml, pipelines.yml, jvm.options, log4j2.properties, a .conf per pipeline, run.sh)
// from the pipelines declared in the inventory, and how its monitoring API reads as a probe and as `pyro status`.
// Each .conf is read back with test/helpers/lscl.ts, which follows Logstash's own grammar.

const KAFKA_HOST =
  '  - { name: a, address: 10.7.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker] }';
const LS_B = '  - { name: b, address: 10.7.0.2, roles: [kafka-broker, logstash] }';
const yaml = (hosts: string, services = '') => `
cluster: { name: lstest }
hosts:
${KAFKA_HOST}
${hosts}
${services}
topics:
  - name: access
  - name: events
`;
const withPipelines = (pipelines: string, extra = '') => yaml(LS_B, `services:\n  logstash:\n${extra}    pipelines:\n${pipelines}`);
const ACCESS = `      - name: access
        inputs:
          - { type: file, paths: [/var/log/nginx/access*.log, /srv/app/**/*.log] }
        filters:
          - grok: { match: { message: "%{COMBINEDAPACHELOG}" } }
          - date: { match: [timestamp, "dd/MMM/yyyy:HH:mm:ss Z"] }
          - mutate: { remove_field: [timestamp], convert: { bytes: integer } }
        output: { kafka: { topic: access } }`;
const files = (inv: Inventory, host = 'b') => renderOn(inv, host, 'logstash').files;
const conf = (inv: Inventory, pipeline: string, host = 'b') => readLscl(files(inv, host)[`pipeline-${pipeline}.conf`]!);
const plugin = (ps: LsclPlugin[], name: string) => {
  const p = ps.find((x) => x.plugin === name);
  assert.ok(p, `no ${name} plugin in ${JSON.stringify(ps.map((x) => x.plugin))}`);
  return optionsOf(p);
};

describe('logstash renders a .conf per pipeline', () => {
  it('file input: the paths as written, tailed from the beginning, its own sincedb; filters in order; a Kafka output with acks=all', async () => {
    const c = conf(await inventoryFromYaml(withPipelines(ACCESS)), 'access');
    assert.deepEqual(c.input, [
      {
        plugin: 'file',
        options: [
          ['id', 'access-file-1'],
          ['path', ['/var/log/nginx/access*.log', '/srv/app/**/*.log']],
          ['mode', 'tail'],
          ['start_position', 'beginning'],
          ['sincedb_path', '/var/lib/pyro/logstash/sincedb/access-file-1'],
          ['codec', 'plain'],
        ],
      },
    ]);
    assert.deepEqual(c.filter, [
      {
        plugin: 'grok',
        options: [
          ['id', 'access-grok-1'],
          ['match', { message: '%{COMBINEDAPACHELOG}' }],
        ],
      },
      {
        plugin: 'date',
        options: [
          ['id', 'access-date-2'],
          ['match', ['timestamp', 'dd/MMM/yyyy:HH:mm:ss Z']],
        ],
      },
      {
        plugin: 'mutate',
        options: [
          ['id', 'access-mutate-3'],
          ['remove_field', ['timestamp']],
          ['convert', { bytes: 'integer' }],
        ],
      },
    ]);
    assert.deepEqual(c.output, [
      {
        plugin: 'kafka',
        options: [
          ['id', 'access-kafka'],
          ['bootstrap_servers', '10.7.0.1:9092,10.7.0.2:9092'],
          ['topic_id', 'access'],
          ['acks', 'all'],
          ['codec', 'json'],
        ],
      },
    ]);
  });

  it('tcp, syslog and beats listen on the host address; codecs, start position, record key and the plain output codec as declared', async () => {
    const inv = await inventoryFromYaml(
      withPipelines(`      - name: net
        inputs:
          - { type: tcp, port: 5000, codec: json_lines }
          - { type: syslog, port: 5514 }
          - { type: beats, port: 5044 }
          - { type: file, paths: [/var/log/a.log], startPosition: end, codec: json }
          - { type: file, paths: [/var/log/b.log] }
        output: { kafka: { topic: events, key: "%{[host][name]}", codec: plain } }`),
    );
    const c = conf(inv, 'net');
    assert.deepEqual(
      c.input.map((p) => optionsOf(p)),
      [
        { id: 'net-tcp-1', host: '10.7.0.2', port: 5000, mode: 'server', codec: 'json_lines' },
        { id: 'net-syslog-2', host: '10.7.0.2', port: 5514 },
        { id: 'net-beats-3', host: '10.7.0.2', port: 5044 },
        {
          id: 'net-file-4',
          path: ['/var/log/a.log'],
          mode: 'tail',
          start_position: 'end',
          sincedb_path: '/var/lib/pyro/logstash/sincedb/net-file-4',
          codec: 'json',
        },
        {
          id: 'net-file-5',
          path: ['/var/log/b.log'],
          mode: 'tail',
          start_position: 'beginning',
          sincedb_path: '/var/lib/pyro/logstash/sincedb/net-file-5',
          codec: 'plain',
        },
      ],
    );
    assert.deepEqual(
      c.input.map((p) => p.plugin),
      ['tcp', 'syslog', 'beats', 'file', 'file'],
    );
    assert.deepEqual(c.filter, []);
    const out = plugin(c.output, 'kafka');
    assert.deepEqual(out.codec, { plugin: 'plain', options: [['format', '%{message}']] });
    assert.equal(out.message_key, '%{[host][name]}');
    assert.equal(out.acks, 'all');
  });

  it("a filter's own id wins over pyro's (a plugin given two ids would get a list); hostile option values survive", async () => {
    const inv = await inventoryFromYaml(
      withPipelines(`      - name: access
        inputs: [{ type: file, paths: [/var/log/x.log] }]
        filters:
          - grok: { id: my-grok, match: { message: '^\\[(?<ts>[^\\]]+)\\] "%{DATA:req}" \\d+$' }, tag_on_failure: [bad] }
          - mutate: { add_field: { 'say "hi"': "line one\\nline two\\ttab\\\\path # not a comment => }" }, gsub: [path, "/", "_"] }
        output: { kafka: { topic: access } }`),
    );
    const c = conf(inv, 'access');
    assert.deepEqual(optionsOf(c.filter[0]!), { id: 'my-grok', match: { message: '^\\[(?<ts>[^\\]]+)\\] "%{DATA:req}" \\d+$' }, tag_on_failure: ['bad'] });
    assert.equal(c.filter[0]!.options.filter(([k]) => k === 'id').length, 1);
    assert.deepEqual(optionsOf(c.filter[1]!), {
      id: 'access-mutate-2',
      add_field: { 'say "hi"': 'line one\nline two\ttab\\path # not a comment => }' },
      gsub: ['path', '/', '_'],
    });
  });

  it("a host's own pipelines replace the component's; the other hosts keep the component's", async () => {
    const inv = await inventoryFromYaml(
      yaml(
        `  - name: b
    address: 10.7.0.2
    roles: [kafka-broker, logstash]
    services:
      logstash:
        pipelines: [{ name: web, inputs: [{ type: tcp, port: 5000 }], output: { kafka: { topic: events } } }]
  - { name: c, address: 10.7.0.3, roles: [kafka-broker, logstash] }`,
        `services:\n  logstash:\n    pipelines:\n${ACCESS}`,
      ),
    );
    assert.deepEqual(
      Object.keys(files(inv, 'b')).filter((f) => f.endsWith('.conf')),
      ['pipeline-web.conf'],
    );
    assert.deepEqual(
      Object.keys(files(inv, 'c')).filter((f) => f.endsWith('.conf')),
      ['pipeline-access.conf'],
    );
    // The TCP input's port is b's alone: checked free before b's Logstash starts, not c's.
    assert.deepEqual(renderOn(inv, 'b', 'logstash').ports, [9600, 5000]);
    assert.deepEqual(renderOn(inv, 'c', 'logstash').ports, [9600]);
    assert.deepEqual(instanceOf(inv, 'b', 'logstash').settingPorts, [
      { name: 'input web-tcp-1', port: 5000, protocol: 'tcp', origin: ['hosts', 1, 'services', 'logstash', 'pipelines', 0, 'inputs', 0, 'port'] },
    ]);
  });

  it('a syslog input claims its port on TCP and UDP', async () => {
    const inv = await inventoryFromYaml(withPipelines('      - { name: sys, inputs: [{ type: syslog, port: 5514 }], output: { kafka: { topic: events } } }'));
    assert.deepEqual(
      instanceOf(inv, 'b', 'logstash').settingPorts.map((p) => [p.name, p.port, p.protocol]),
      [
        ['input sys-syslog-1', 5514, 'tcp'],
        ['input sys-syslog-1', 5514, 'udp'],
      ],
    );
  });
});

describe('logstash renders its settings dir', () => {
  it('logstash.yml: data and logs in the instance dirs, the API on the host address, no reload of its own; overrides last, YAML 1.1-safe', async () => {
    const inv = await inventoryFromYaml(
      withPipelines(ACCESS, '    ports: { api: 9601 }\n    config:\n      logstash.yml: { queue.max_bytes: 4gb, log.level: "on", pipeline.batch.delay: 10 }\n'),
    );
    const text = files(inv)['logstash.yml']!;
    assert.match(text, /^# Written by pyro/);
    // Ruby's YAML 1.1 reads a bare `on` as true: the override must stay a string.
    assert.match(text, /^log\.level: "on"$/m);
    assert.deepEqual(YAML.parse(text, { version: '1.1' }), {
      'node.name': 'b',
      'path.data': '/var/lib/pyro/logstash',
      'path.logs': '/var/lib/pyro/logs/logstash',
      'api.enabled': true,
      'api.http.host': '10.7.0.2',
      'api.http.port': 9601,
      'config.reload.automatic': false,
      'queue.max_bytes': '4gb',
      'log.level': 'on',
      'pipeline.batch.delay': 10,
    });
  });

  it('pipelines.yml: an entry per pipeline with its .conf, escapes on, workers, batch size and queue type as declared', async () => {
    const inv = await inventoryFromYaml(
      withPipelines(`${ACCESS}
        workers: 2
        batchSize: 250
        queue: persisted
      - { name: web, inputs: [{ type: tcp, port: 5000 }], output: { kafka: { topic: events } } }`),
    );
    const f = files(inv);
    assert.deepEqual(YAML.parse(f['pipelines.yml']!, { version: '1.1' }), [
      {
        'pipeline.id': 'access',
        'path.config': '/opt/pyro/conf/logstash/pipeline-access.conf',
        'config.support_escapes': true,
        'pipeline.workers': 2,
        'pipeline.batch.size': 250,
        'queue.type': 'persisted',
      },
      { 'pipeline.id': 'web', 'path.config': '/opt/pyro/conf/logstash/pipeline-web.conf', 'config.support_escapes': true, 'queue.type': 'memory' },
    ]);
    assert.deepEqual(Object.keys(f).sort(), [
      'jvm.options',
      'log4j2.properties',
      'logstash.yml',
      'pipeline-access.conf',
      'pipeline-web.conf',
      'pipelines.yml',
      'run.sh',
    ]);
  });

  it('jvm.options: the heap and the role marker, every line a comment or an option its launcher takes', async () => {
    const inv = await inventoryFromYaml(withPipelines(ACCESS, '    heap: 768m\n'));
    const lines = files(inv)['jvm.options']!.split('\n').filter(Boolean);
    // Logstash's JvmOptionsParser refuses a line that is neither a comment nor `[range:]-option`.
    for (const l of lines) assert.match(l, /^(#|-\S+$)/, l);
    const options = lines.filter((l) => !l.startsWith('#'));
    assert.deepEqual(options.slice(0, 3), ['-Xms768m', '-Xmx768m', '-Dpyro.role=logstash']);
    assert.ok(options.includes('-XX:HeapDumpPath=/var/lib/pyro/logs/logstash'));
  });

  it("log4j2.properties: Logstash's log is logstash-plain.log in the log dir Logstash hands in (ls.logs), at its log level", async () => {
    const p = javaProps(files(await inventoryFromYaml(withPipelines(ACCESS)))['log4j2.properties']!);
    assert.equal(p.get('appender.file.type'), 'RollingFile');
    assert.equal(p.get('appender.file.fileName'), '${sys:ls.logs}/logstash-plain.log');
    assert.equal(p.get('rootLogger.appenderRef.file.ref'), p.get('appender.file.name'));
    assert.equal(p.get('rootLogger.level'), '${sys:ls.log.level}');
  });

  it('renders the same files twice (nothing volatile: an unchanged inventory never restarts Logstash)', async () => {
    const one = renderOn(await inventoryFromYaml(withPipelines(ACCESS)), 'b', 'logstash');
    const two = renderOn(await inventoryFromYaml(withPipelines(ACCESS)), 'b', 'logstash');
    assert.deepEqual(one.files, two.files);
    assert.equal(one.hash, two.hash);
  });
});

describe('logstash run.sh', () => {
  it('execs bin/logstash with the conf dir as its settings dir, after making the dir the file inputs keep positions in', async () => {
    const inv = await inventoryFromYaml(withPipelines(ACCESS));
    const d = renderOn(inv, 'b', 'logstash');
    const run = d.files['run.sh']!;
    assert.deepEqual(execArgv(run), ['/opt/pyro/logstash/8.15.3/bin/logstash', '--path.settings', '/opt/pyro/conf/logstash']);
    assert.match(run, /^mkdir -p \/var\/lib\/pyro\/logstash\/sincedb$/m);
    assert.doesNotMatch(run, /LS_JAVA_HOME/);
    assert.equal(d.marker, '-Dpyro.role=logstash');
    assert.deepEqual(d.logFiles, ['/var/lib/pyro/logs/logstash/logstash-plain.log', '/var/lib/pyro/logs/logstash/logstash.out']);
    assert.ok(serviceByRole('logstash')!.runtime);
    assert.deepEqual(unmanagedRoles(inv), []);
  });

  it("a host that names its JDK runs Logstash on it (LS_JAVA_HOME), not on the archive's bundled one", async () => {
    const inv = await inventoryFromYaml(
      yaml(
        '  - { name: b, address: 10.7.0.2, javaHome: /usr/lib/jvm/java-17, roles: [kafka-broker, logstash] }',
        `services:\n  logstash:\n    pipelines:\n${ACCESS}`,
      ),
    );
    assert.match(files(inv)['run.sh']!, /^export LS_JAVA_HOME=\/usr\/lib\/jvm\/java-17$/m);
  });
});

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'logstash', name), 'utf8'));
// Built from Logstash 8.15.3's API code (api/commands/{node,stats}.rb, config/pipelines_info.rb): pipelines access
// (memory queue) and web (persisted queue, dead letter queue on) running, bad failed to start.
const API: LogstashApi = { node: fixture('node-pipelines.json') as LogstashApi['node'], stats: fixture('node-stats-pipelines.json') as LogstashApi['stats'] };
const apiWith = (change: (a: LogstashApi) => void): LogstashApi => {
  const a = structuredClone(API);
  change(a);
  return a;
};
const CAPTURED = withPipelines(`${ACCESS}
      - name: web
        inputs: [{ type: tcp, port: 5000, codec: json_lines }]
        filters: [{ json: { source: message } }]
        output: { kafka: { topic: events } }
        queue: persisted`);

describe('logstash monitoring API -> ready probe', () => {
  it('ready when every declared pipeline runs (has an ephemeral id in the stats)', async () => {
    const r = probeFromApi(instanceOf(await inventoryFromYaml(CAPTURED), 'b', 'logstash'), API);
    assert.deepEqual([r.ok, r.detail], [true, '2 pipelines running (access, web)']);
  });

  it('names each declared pipeline that is not running: failed (with its error), stopped, not started yet', async () => {
    const inv = await inventoryFromYaml(
      withPipelines(`${ACCESS}
      - { name: bad, inputs: [{ type: tcp, port: 5000 }], output: { kafka: { topic: events } } }
      - { name: web, inputs: [{ type: tcp, port: 5001 }], output: { kafka: { topic: events } } }
      - { name: later, inputs: [{ type: tcp, port: 5002 }], output: { kafka: { topic: events } } }`),
    );
    // web stopped: Logstash keeps its config in /_node/pipelines and drops its ephemeral id from the stats.
    const r = probeFromApi(
      instanceOf(inv, 'b', 'logstash'),
      apiWith((a) => delete a.stats.pipelines!.web!.ephemeral_id),
    );
    assert.equal(r.ok, false);
    assert.equal(
      r.detail,
      'logstash on b: pipeline bad failed to start: Java::JavaLang::IllegalStateException: Unable to configure plugins: (PatternError) pattern %{NOPE} not defined; ' +
        'pipeline web stopped; pipeline later not started yet (see logstash-plain.log)',
    );
  });
});

describe('logstash monitoring API -> status', () => {
  it('per pipeline: state, events in and out per second, queue fill (in flight for a memory queue), filter failures and dead letters', async () => {
    const report = instanceReport(instanceOf(await inventoryFromYaml(CAPTURED), 'b', 'logstash'), API);
    assert.deepEqual(report, {
      host: 'b',
      url: 'http://10.7.0.2:9600',
      pipelines: [
        {
          pipeline: 'access',
          state: 'running',
          topic: 'access',
          inPerSecond: 245.3,
          outPerSecond: 244.9,
          eventsIn: 18000,
          eventsOut: 17950,
          // 50 events in flight of 2 workers × 125.
          queue: { type: 'memory', events: 50, fillPercent: 20 },
          errors: { filterFailures: 15, startFailures: 0, deadLetter: null },
        },
        {
          pipeline: 'web',
          state: 'running',
          topic: 'events',
          // No current window measured for the output yet: the lifetime rate.
          inPerSecond: 1000,
          outPerSecond: 870.25,
          eventsIn: 60000,
          eventsOut: 55000,
          queue: { type: 'persisted', events: 5000, fillPercent: (100 * 322122547) / 1073741824 },
          errors: { filterFailures: 0, startFailures: 0, deadLetter: { bytes: 2048, dropped: 0, expired: 0 } },
        },
      ],
      notRunning: [],
    });
    const s = logstashSummary([report]);
    assert.equal(s.key, 'logstash');
    assert.deepEqual(s.problems, []);
    assert.deepEqual(s.lines, [
      'Logstash  b: access (-> access) 245.3/s in, 244.9/s out, memory queue 20.0% (50 in flight), 15 filter failures; ' +
        'web (-> events) 1000.0/s in, 870.3/s out, persisted queue 30.0% (5000 unread), 0 filter failures, dead letters 2048 B (0 dropped)',
    ]);
    assert.deepEqual(s.data, { instances: [report] });
    assert.deepEqual(s.ui, { 'Logstash API': 'http://10.7.0.2:9600' });
    // What `pyro status --json` prints under its key is plain data.
    assert.deepEqual(JSON.parse(JSON.stringify(s.data)), { instances: [report] });
  });

  it('problems: a pipeline not running, a persisted queue over 90% full, dead letters dropped, a Logstash that does not answer', async () => {
    const inv = await inventoryFromYaml(
      withPipelines(`${ACCESS}
      - { name: web, inputs: [{ type: tcp, port: 5000 }], output: { kafka: { topic: events } }, queue: persisted }
      - { name: bad, inputs: [{ type: tcp, port: 5001 }], output: { kafka: { topic: events } } }`),
    );
    const report = instanceReport(
      instanceOf(inv, 'b', 'logstash'),
      apiWith((a) => {
        a.stats.pipelines!.web!.queue!.queue_size_in_bytes = 1000000000;
        a.stats.pipelines!.web!.dead_letter_queue!.dropped_events = 7;
      }),
    );
    assert.equal(report.pipelines[2]!.state.startsWith('failed to start: '), true);
    assert.deepEqual(report.pipelines[2]!.errors, { filterFailures: 0, startFailures: 1, deadLetter: null });
    assert.equal(report.pipelines[2]!.queue, null);
    const s = logstashSummary([report, { host: 'c', url: 'http://10.7.0.3:9600', error: 'ECONNREFUSED' }]);
    assert.deepEqual(s.problems, [
      'Logstash on b: pipeline bad failed to start: Java::JavaLang::IllegalStateException: Unable to configure plugins: (PatternError) pattern %{NOPE} not defined',
      "Logstash on b: pipeline web's persisted queue is 93.1% full (Kafka is not keeping up)",
      'Logstash on b: pipeline web dropped 7 dead letters (its dead letter queue is full)',
      'Logstash on c: ECONNREFUSED',
    ]);
    assert.match(s.lines[0]!, /; bad \(-> events\) failed to start: /);
    assert.equal(s.lines[1], 'Logstash  c: unreachable: ECONNREFUSED');
  });
});
