import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FLUME_MAIN } from '../../../src/artifacts/recipes/flume.js';
import { InventoryError } from '../../../src/inventory/diagnostics.js';
import type { Inventory } from '../../../src/inventory/types.js';
import { unmanagedRoles } from '../../../src/phases/desired.js';
import { serviceByRole } from '../../../src/services/catalog.js';
import type { FlumeMetrics } from '../../../src/services/flume/metrics.js';
import { probeFromMetrics } from '../../../src/services/flume/probes.js';
import { agentReport, flumeSummary } from '../../../src/services/flume/status.js';
import { globProblem, taildirPattern } from '../../../src/services/flume/taildir-glob.js';
import { ROOT } from '../../helpers/cli.js';
import { execArgv, instanceOf, inventoryFromYaml, javaProps, renderOn } from '../../helpers/rendered.js';

// What a Flume agent renders (flume.conf, run.sh) from the sources declared in the inventory, how a taildir glob
// becomes Flume's directory + regex, and how a captured GET /metrics reads as a probe and as `pyro status`.

const KAFKA_HOST =
  '  - { name: a, address: 10.7.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker] }';
const yaml = (hosts: string, services = '') => `
cluster: { name: flumetest }
hosts:
${KAFKA_HOST}
${hosts}
${services}
topics:
  - name: events
  - name: access
`;
const AGENT_B = '  - { name: b, address: 10.7.0.2, roles: [kafka-broker, flume] }';
const withSources = (sources: string) => yaml(AGENT_B, `services:\n  flume:\n    sources:\n${sources}`);
const conf = (inv: Inventory, host = 'b') => javaProps(renderOn(inv, host, 'flume').files['flume.conf']!);

const METRICS = JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'flume', 'metrics.json'), 'utf8')) as FlumeMetrics;
const metricsWith = (change: (m: FlumeMetrics) => void): FlumeMetrics => {
  const m = structuredClone(METRICS);
  change(m);
  return m;
};
// The agent the captured metrics come from: a taildir source and an HTTP source.
const CAPTURED = withSources(`      - { name: access, type: taildir, topic: access, paths: [/var/log/nginx/access.log] }
      - { name: web, type: http, topic: events, port: 8081 }`);

describe('flume renders flume.conf', () => {
  it('taildir: a filegroup per path (directory + file-name regex), positions and file header; a file channel; a Kafka sink', async () => {
    const inv = await inventoryFromYaml(
      withSources('      - { name: access, type: taildir, topic: access, paths: [/var/log/nginx/access-?.log, /srv/app/logs/*.log] }'),
    );
    const p = conf(inv);
    assert.equal(p.get('agent.sources'), 'access');
    assert.equal(p.get('agent.channels'), 'access-channel');
    assert.equal(p.get('agent.sinks'), 'access-kafka');
    assert.equal(p.get('agent.sources.access.type'), 'TAILDIR');
    assert.equal(p.get('agent.sources.access.channels'), 'access-channel');
    assert.equal(p.get('agent.sources.access.filegroups'), 'f1 f2');
    assert.equal(p.get('agent.sources.access.filegroups.f1'), '/var/log/nginx/access-.\\.log');
    assert.equal(p.get('agent.sources.access.filegroups.f2'), '/srv/app/logs/.*\\.log');
    assert.equal(p.get('agent.sources.access.positionFile'), '/var/lib/pyro/flume/taildir/access.json');
    assert.equal(p.get('agent.sources.access.fileHeader'), 'true');
    assert.equal(p.get('agent.sources.access.batchSize'), '100');
    assert.equal(p.get('agent.sources.access.backoffSleepIncrement'), '100');
    assert.equal(p.get('agent.sources.access.maxBackoffSleep'), '500');

    assert.equal(p.get('agent.channels.access-channel.type'), 'file');
    assert.equal(p.get('agent.channels.access-channel.checkpointDir'), '/var/lib/pyro/flume/channels/access/checkpoint');
    assert.equal(p.get('agent.channels.access-channel.dataDirs'), '/var/lib/pyro/flume/channels/access/data');
    assert.equal(p.get('agent.channels.access-channel.capacity'), '1000000');
    assert.equal(p.get('agent.channels.access-channel.transactionCapacity'), '10000');

    assert.equal(p.get('agent.sinks.access-kafka.type'), 'org.apache.flume.sink.kafka.KafkaSink');
    assert.equal(p.get('agent.sinks.access-kafka.channel'), 'access-channel');
    assert.equal(p.get('agent.sinks.access-kafka.kafka.bootstrap.servers'), '10.7.0.1:9092,10.7.0.2:9092');
    assert.equal(p.get('agent.sinks.access-kafka.kafka.topic'), 'access');
    assert.equal(p.get('agent.sinks.access-kafka.kafka.producer.acks'), 'all');
    assert.equal(p.get('agent.sinks.access-kafka.flumeBatchSize'), '100');
    assert.equal(p.get('agent.sinks.access-kafka.useFlumeEventFormat'), 'false');
    assert.equal(p.get('agent.sinks.access-kafka.allowTopicOverride'), 'false');
    assert.equal(p.get('agent.sinks.access-kafka.header.file'), 'file');
  });

  it('http: JSON handler bound on the host address and its port; syslog-tcp and syslog-udp likewise', async () => {
    const inv = await inventoryFromYaml(
      withSources(`      - { name: web, type: http, topic: events, port: 8081 }
      - { name: sys, type: syslog-tcp, topic: events, port: 5140 }
      - { name: sysu, type: syslog-udp, topic: events, port: 5140 }`),
    );
    const p = conf(inv);
    assert.equal(p.get('agent.sources'), 'web sys sysu');
    assert.equal(p.get('agent.sinks'), 'web-kafka sys-kafka sysu-kafka');
    assert.equal(p.get('agent.sources.web.type'), 'http');
    assert.equal(p.get('agent.sources.web.bind'), '10.7.0.2');
    assert.equal(p.get('agent.sources.web.port'), '8081');
    assert.equal(p.get('agent.sources.web.handler'), 'org.apache.flume.source.http.JSONHandler');
    assert.equal(p.get('agent.sources.sys.type'), 'syslogtcp');
    assert.equal(p.get('agent.sources.sys.host'), '10.7.0.2');
    assert.equal(p.get('agent.sources.sys.port'), '5140');
    assert.equal(p.get('agent.sources.sysu.type'), 'syslogudp');
    assert.equal(p.get('agent.sources.sysu.host'), '10.7.0.2');
    assert.equal(p.get('agent.sources.sysu.port'), '5140');
    // Each source has its own channel dirs: two file channels never share a checkpoint.
    const dirs = ['web', 'sys', 'sysu'].map((s) => p.get(`agent.channels.${s}-channel.checkpointDir`));
    assert.equal(new Set(dirs).size, 3);
    for (const s of ['web', 'sys', 'sysu']) {
      assert.equal(p.get(`agent.sinks.${s}-kafka.kafka.topic`), 'events');
      assert.equal(p.has(`agent.sinks.${s}-kafka.header.file`), false);
    }
  });

  it('channel: kafka: the source writes into the topic through a Kafka channel (acks=all, plain body), no sink', async () => {
    const inv = await inventoryFromYaml(
      withSources(`      - { name: access, type: taildir, topic: access, paths: [/var/log/nginx/access.log], channel: kafka }
      - { name: web, type: http, topic: events, port: 8081 }`),
    );
    const p = conf(inv);
    assert.equal(p.get('agent.channels'), 'access-kafka web-channel');
    assert.equal(p.get('agent.sinks'), 'web-kafka');
    assert.equal(p.get('agent.sources.access.channels'), 'access-kafka');
    assert.equal(p.get('agent.channels.access-kafka.type'), 'org.apache.flume.channel.kafka.KafkaChannel');
    assert.equal(p.get('agent.channels.access-kafka.kafka.bootstrap.servers'), '10.7.0.1:9092,10.7.0.2:9092');
    assert.equal(p.get('agent.channels.access-kafka.kafka.topic'), 'access');
    assert.equal(p.get('agent.channels.access-kafka.kafka.producer.acks'), 'all');
    assert.equal(p.get('agent.channels.access-kafka.parseAsFlumeEvent'), 'false');
    assert.equal(p.get('agent.channels.access-kafka.kafka.consumer.group.id'), 'flume-b-access');
    assert.equal([...p.keys()].filter((k) => k.startsWith('agent.sinks.access')).length, 0);
    // Its metrics: ready with the source and the channel running; what it put is what it delivered.
    const t = String(Date.now());
    const m: FlumeMetrics = {
      'SOURCE.access': { StartTime: t, StopTime: '0', EventReceivedCount: '40', EventAcceptedCount: '40' },
      'CHANNEL.access-kafka': { StartTime: t, StopTime: '0', EventPutSuccessCount: '40', RollbackCount: '0' },
      'SOURCE.web': { StartTime: t, StopTime: '0', EventReceivedCount: '0', EventAcceptedCount: '0' },
      'CHANNEL.web-channel': { StartTime: t, StopTime: '0', Open: 'true', ChannelCapacity: '1000000', ChannelFillPercentage: '0' },
      'SINK.web-kafka': { StartTime: t, StopTime: '0', EventDrainSuccessCount: '0' },
    };
    const inst = instanceOf(inv, 'b', 'flume');
    assert.equal(probeFromMetrics(inst, m).ok, true);
    const report = agentReport(inst, m);
    assert.deepEqual(report.notRunning, []);
    assert.equal(report.chains[0]!.delivered, 40);
    assert.equal(report.chains[0]!.fillPercent, null);
    delete m['CHANNEL.access-kafka'];
    assert.match(probeFromMetrics(inst, m).detail, /channel access-kafka not started/);
  });

  it('batch size and channel capacity from the settings; flume.conf overrides applied last', async () => {
    const inv = await inventoryFromYaml(
      yaml(
        AGENT_B,
        `services:
  flume:
    batchSize: 500
    channelCapacity: 50000
    sources: [{ name: web, type: http, topic: events, port: 8081 }]
    config:
      flume.conf: { agent.sinks.web-kafka.kafka.producer.linger.ms: 5, agent.sinks.web-kafka.kafka.producer.acks: 1 }`,
      ),
    );
    const p = conf(inv);
    assert.equal(p.get('agent.sinks.web-kafka.flumeBatchSize'), '500');
    assert.equal(p.get('agent.channels.web-channel.capacity'), '50000');
    assert.equal(p.get('agent.sinks.web-kafka.kafka.producer.linger.ms'), '5');
    assert.equal(p.get('agent.sinks.web-kafka.kafka.producer.acks'), '1');
  });

  it("a host's own sources replace the component's; the other agents keep the component's", async () => {
    const inv = await inventoryFromYaml(
      yaml(
        `  - name: b
    address: 10.7.0.2
    roles: [kafka-broker, flume]
    services:
      flume:
        sources: [{ name: access, type: taildir, topic: access, paths: [/var/log/nginx/access.log] }]
  - { name: c, address: 10.7.0.3, roles: [kafka-broker, flume] }`,
        `services:
  flume:
    heap: 384m
    sources: [{ name: web, type: http, topic: events, port: 8081 }]`,
      ),
    );
    assert.equal(conf(inv, 'b').get('agent.sources'), 'access');
    assert.equal(conf(inv, 'c').get('agent.sources'), 'web');
    assert.equal(conf(inv, 'c').get('agent.sources.web.bind'), '10.7.0.3');
    // The HTTP source's port is c's alone: checked free before c's agent starts, not b's.
    assert.deepEqual(renderOn(inv, 'b', 'flume').ports, [34545]);
    assert.deepEqual(renderOn(inv, 'c', 'flume').ports, [34545, 8081]);
    assert.deepEqual(instanceOf(inv, 'b', 'flume').origin['setting:sources'], ['hosts', 1, 'services', 'flume', 'sources']);
    assert.deepEqual(instanceOf(inv, 'c', 'flume').settingPorts, [
      { name: 'source web', port: 8081, protocol: 'tcp', origin: ['services', 'flume', 'sources', 0, 'port'] },
    ]);
  });

  it('no sources: an idle agent (one memory channel, since Flume exits on a file that configures nothing); the role is run by pyro up', async () => {
    const inv = await inventoryFromYaml(yaml(AGENT_B));
    assert.deepEqual(Object.fromEntries(conf(inv)), { 'agent.channels': 'idle', 'agent.channels.idle.type': 'memory' });
    const f = instanceOf(inv, 'b', 'flume');
    assert.deepEqual(f.ports, { monitoring: 34545 });
    assert.deepEqual(f.dirs, { data: '/var/lib/pyro/flume' });
    assert.ok(serviceByRole('flume')!.runtime);
    assert.deepEqual(unmanagedRoles(inv), []);
  });

  it('renders the same files twice (nothing volatile: an unchanged inventory never restarts the agent)', async () => {
    const text = withSources('      - { name: access, type: taildir, topic: access, paths: [/var/log/*.log] }');
    const one = renderOn(await inventoryFromYaml(text), 'b', 'flume');
    const two = renderOn(await inventoryFromYaml(text), 'b', 'flume');
    assert.deepEqual(one.files, two.files);
    assert.equal(one.hash, two.hash);
  });
});

describe('flume run.sh', () => {
  it("execs Flume's main with the heap, the role marker, HTTP metrics on the monitoring port and the agent's conf", async () => {
    const inv = await inventoryFromYaml(
      yaml(AGENT_B, 'services:\n  flume: { heap: 384m, ports: { monitoring: 34600 }, sources: [{ name: web, type: http, topic: events, port: 8081 }] }'),
    );
    const d = renderOn(inv, 'b', 'flume');
    const argv = execArgv(d.files['run.sh']!);
    const root = '/opt/pyro/flume/1.11.0';
    assert.deepEqual(argv, [
      'java',
      '-Xms384m',
      '-Xmx384m',
      '-Dpyro.role=flume',
      '-Dflume.monitoring.type=http',
      '-Dflume.monitoring.port=34600',
      `-Dlog4j2.configurationFile=${root}/conf/log4j2.xml`,
      '-Dflume.log.dir=/var/lib/pyro/logs/flume',
      '-cp',
      `${root}/conf:${root}/lib/*`,
      FLUME_MAIN,
      '-n',
      'agent',
      '-f',
      '/opt/pyro/conf/flume/flume.conf',
      '--no-reload-conf',
    ]);
    assert.equal(d.marker, '-Dpyro.role=flume');
    assert.deepEqual(d.logFiles, ['/var/lib/pyro/logs/flume/flume.log', '/var/lib/pyro/logs/flume/flume.out']);
  });
});

describe('flume taildir globs -> directory + file-name regex', () => {
  const matches = (glob: string, name: string) => new RegExp(`^(?:${taildirPattern(glob).regex})$`).test(name);

  it('*.log: any name ending in .log, the dot literal', () => {
    assert.deepEqual(taildirPattern('/var/log/app/*.log'), { dir: '/var/log/app', regex: '.*\\.log' });
    assert.ok(matches('/var/log/app/*.log', 'app.log'));
    assert.ok(!matches('/var/log/app/*.log', 'app.logx'));
    assert.ok(!matches('/var/log/app/*.log', 'applog'));
  });

  it('access-?.log: exactly one character', () => {
    assert.deepEqual(taildirPattern('/var/log/nginx/access-?.log'), { dir: '/var/log/nginx', regex: 'access-.\\.log' });
    assert.ok(matches('/var/log/nginx/access-?.log', 'access-1.log'));
    assert.ok(!matches('/var/log/nginx/access-?.log', 'access-12.log'));
    assert.ok(!matches('/var/log/nginx/access-?.log', 'access-.log'));
  });

  it('a literal name: dots and regex metacharacters escaped', () => {
    assert.deepEqual(taildirPattern('/srv/app.2024.log'), { dir: '/srv', regex: 'app\\.2024\\.log' });
    assert.ok(!matches('/srv/app.2024.log', 'appX2024Xlog'));
    assert.equal(taildirPattern('/srv/a+b(1)$^|.log').regex, 'a\\+b\\(1\\)\\$\\^\\|\\.log');
    assert.ok(matches('/srv/a+b(1)$^|.log', 'a+b(1)$^|.log'));
  });

  it('classes, negated classes and braces; an unpaired brace or bracket is literal', () => {
    assert.equal(taildirPattern('/l/app-[0-9].log').regex, 'app-[0-9]\\.log');
    assert.equal(taildirPattern('/l/app-[!0-9].log').regex, 'app-[^0-9]\\.log');
    assert.equal(taildirPattern('/l/{access,error}.log').regex, '(?:access|error)\\.log');
    assert.ok(matches('/l/{access,error}.log', 'error.log'));
    assert.ok(!matches('/l/{access,error}.log', 'access,error.log'));
    assert.equal(taildirPattern('/l/a{b.log').regex, 'a\\{b\\.log');
    assert.equal(taildirPattern('/l/a[b.log').regex, 'a\\[b\\.log');
    assert.ok(matches('/l/a[b.log', 'a[b.log'));
  });

  it('a file in the root directory keeps its directory', () => {
    assert.deepEqual(taildirPattern('/x.log'), { dir: '/', regex: 'x\\.log' });
  });

  it('refused: a relative path, a wildcard in a directory, a directory', () => {
    assert.match(globProblem('logs/*.log')!.message, /is not an absolute path/);
    assert.match(globProblem('/var/log/*/access.log')!.message, /wildcard in its directory \(\/var\/log\/\*\)/);
    assert.match(globProblem('/var/log/app[12]/x.log')!.message, /wildcard in its directory/);
    assert.match(globProblem('/var/log/app/')!.message, /names a directory/);
    assert.equal(globProblem('/var/log/app/*.log'), undefined);
    assert.throws(() => taildirPattern('/var/log/*/x.log'), /wildcard in its directory/);
  });
});

describe('flume metrics -> ready probe', () => {
  it('ready when every declared source, channel and sink has started and not stopped', async () => {
    const r = probeFromMetrics(instanceOf(await inventoryFromYaml(CAPTURED), 'b', 'flume'), METRICS);
    assert.equal(r.ok, true, r.detail);
    assert.equal(r.detail, '2 sources running, each with its file channel and Kafka sink');
  });

  it('names the host and each component missing, stopped or still replaying', async () => {
    const inst = instanceOf(await inventoryFromYaml(CAPTURED), 'b', 'flume');
    const r = probeFromMetrics(
      inst,
      metricsWith((m) => {
        delete m['SINK.web-kafka'];
        m['SOURCE.web']!.StopTime = '1767262000000';
        m['CHANNEL.access-channel']!.Open = 'false';
      }),
    );
    assert.equal(r.ok, false);
    assert.equal(r.detail, 'flume on b: channel access-channel not open yet (replaying its log); source web stopped; sink web-kafka not started');
  });

  it('a taildir source that has not started: its directories must exist (Flume retries it)', async () => {
    const inst = instanceOf(await inventoryFromYaml(CAPTURED), 'b', 'flume');
    const r = probeFromMetrics(
      inst,
      metricsWith((m) => delete m['SOURCE.access']),
    );
    assert.equal(r.detail, 'flume on b: source access not started (Flume retries it; /var/log/nginx must exist)');
  });

  it('an agent without sources is ready once its metrics answer', async () => {
    const r = probeFromMetrics(instanceOf(await inventoryFromYaml(yaml(AGENT_B)), 'b', 'flume'), {});
    assert.deepEqual([r.ok, r.detail], [true, 'running, no sources declared']);
  });
});

describe('flume metrics -> status', () => {
  it("per source: events in and out (counts, and rates over the sample), the channel's fill, errors", async () => {
    const inst = instanceOf(await inventoryFromYaml(CAPTURED), 'b', 'flume');
    const earlier = metricsWith((m) => {
      m['SOURCE.access']!.EventAcceptedCount = '17000';
      m['SINK.access-kafka']!.EventDrainSuccessCount = '16877';
    });
    const report = agentReport(inst, METRICS, { m: earlier, seconds: 2 });
    assert.deepEqual(report, {
      host: 'b',
      url: 'http://10.7.0.2:34545/metrics',
      chains: [
        {
          source: 'access',
          type: 'taildir',
          topic: 'access',
          received: 18000,
          accepted: 18000,
          channel: 'access-channel',
          channelKind: 'file',
          fillPercent: 0.0123,
          delivered: 17877,
          inPerSec: 500,
          outPerSec: 500,
          errors: 0,
        },
        {
          source: 'web',
          type: 'http',
          topic: 'events',
          received: 57,
          accepted: 57,
          channel: 'web-channel',
          channelKind: 'file',
          fillPercent: 0,
          delivered: 57,
          inPerSec: 0,
          outPerSec: 0,
          errors: 2, // EventReadFail: the malformed posts of the run it was captured from
        },
      ],
      notRunning: [],
    });
    const s = flumeSummary([report]);
    assert.equal(s.key, 'flume');
    assert.deepEqual(s.problems, []);
    assert.deepEqual(s.lines, [
      'Flume  b: access (taildir -> access) 18000 in (500/s), channel 0.0% full, 17877 out (500/s); web (http -> events) 57 in (0.0/s), channel 0.0% full, 57 out (0.0/s), 2 errors',
    ]);
    // One capture has no rates; refused events and failures are shown.
    const once = agentReport(
      inst,
      metricsWith((m) => {
        m['SOURCE.web']!.EventReceivedCount = '60';
        m['SINK.web-kafka']!.EventWriteFail = '2';
      }),
    );
    assert.equal(once.chains[0]!.inPerSec, null);
    assert.match(flumeSummary([once]).lines[0]!, /web \(http -> events\) 57 in, channel 0\.0% full, 57 out, 3 refused, 4 errors$/);
    assert.deepEqual(s.data, { agents: [report] });
    assert.deepEqual(s.ui, { 'Flume metrics': 'http://10.7.0.2:34545/metrics' });
  });

  it('problems: a declared component missing, a channel over 90% full, an agent that does not answer', async () => {
    const inst = instanceOf(await inventoryFromYaml(CAPTURED), 'b', 'flume');
    const report = agentReport(
      inst,
      metricsWith((m) => {
        delete m['SINK.web-kafka'];
        m['CHANNEL.access-channel']!.ChannelSize = '935000';
        m['CHANNEL.access-channel']!.ChannelFillPercentage = '93.5';
      }),
    );
    const s = flumeSummary([report, { host: 'c', url: 'http://10.7.0.3:34545/metrics', error: 'ECONNREFUSED' }]);
    assert.deepEqual(s.problems, [
      'Flume on b: sink web-kafka not started',
      'Flume on b: channel access-channel is 93.5% full (its Kafka sink is not keeping up with source access)',
      'Flume on c: ECONNREFUSED',
    ]);
    assert.match(s.lines[0]!, /web \(http -> events\) 57 in, channel 0\.0% full, 0 out/);
    assert.equal(s.lines[1], 'Flume  c: unreachable: ECONNREFUSED');
  });

  it('a channel without a capacity yet (replaying) has no fill, and is not reported full', async () => {
    const inst = instanceOf(await inventoryFromYaml(CAPTURED), 'b', 'flume');
    const report = agentReport(
      inst,
      metricsWith((m) => {
        Object.assign(m['CHANNEL.web-channel']!, { ChannelCapacity: '0', ChannelFillPercentage: '1.7976931348623157E308', Open: 'false' });
      }),
    );
    assert.equal(report.chains[1]!.fillPercent, null);
    assert.deepEqual(flumeSummary([report]).problems, ['Flume on b: channel web-channel not open yet (replaying its log)']);
  });
});

describe('flume rules (beside test/fixtures/invalid/5x-flume-*)', () => {
  const errors = async (text: string) => {
    const e = await inventoryFromYaml(text).then(
      () => assert.fail('expected the inventory to be rejected'),
      (x: unknown) => x,
    );
    assert.ok(e instanceof InventoryError, String(e));
    return e.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.path}: ${d.message} | ${d.hint}`);
  };

  it('syslog over TCP and UDP may share a port; two TCP sources may not', async () => {
    await inventoryFromYaml(
      withSources(`      - { name: sys, type: syslog-tcp, topic: events, port: 5140 }
      - { name: sysu, type: syslog-udp, topic: events, port: 5140 }`),
    );
    assert.deepEqual(
      await errors(
        withSources(`      - { name: sys, type: syslog-tcp, topic: events, port: 5140 }
      - { name: web, type: http, topic: events, port: 5140 }`),
      ),
      [
        'services.flume.sources[1].port: port 5140 on host b is claimed by both flume (source sys) and flume (source web) | change one of them, e.g. services.flume.sources[1].port: 5141, or move one role to another host',
      ],
    );
  });

  it("a source port clashing with another role's is located in the host's own list when that one wins", async () => {
    const got = await errors(
      yaml(`  - name: b
    address: 10.7.0.2
    roles: [kafka-broker, flume]
    services:
      flume:
        sources: [{ name: web, type: http, topic: events, port: 34545 }]`),
    );
    assert.deepEqual(got, [
      'hosts[1].services.flume.sources[0].port: port 34545 on host b is claimed by both flume (monitoring) and flume (source web) | change one of them, e.g. hosts[1].services.flume.sources[0].port: 34546, or move one role to another host',
    ]);
  });

  it('each type gets the fields it needs: taildir paths and no port, the others a port and no paths', async () => {
    assert.deepEqual(
      await errors(
        withSources(`      - { name: t1, type: taildir, topic: events }
      - { name: t2, type: taildir, topic: events, paths: [/var/log/x.log], port: 9999 }
      - { name: h1, type: http, topic: events }
      - { name: h2, type: syslog-udp, topic: events, port: 5140, paths: [/var/log/x.log] }`),
      ),
      [
        'services.flume.sources[0]: taildir source t1 has no paths | add `paths: [/var/log/app/*.log]`',
        'services.flume.sources[1].port: taildir source t2 listens on no port | remove `port:` (it reads files: see `paths:`)',
        'services.flume.sources[2]: http source h1 has no port | add `port:`, e.g. port: 8081',
        'services.flume.sources[3].paths: syslog-udp source h2 reads no files | remove `paths:` (only taildir sources read files)',
      ],
    );
  });

  it('a component-wide list is checked even when every agent has its own', async () => {
    const got = await errors(
      yaml(
        `  - name: b
    address: 10.7.0.2
    roles: [kafka-broker, flume]
    services: { flume: { sources: [] } }`,
        'services:\n  flume:\n    sources: [{ name: web, type: http, topic: nope, port: 8081 }]',
      ),
    );
    assert.deepEqual(got, [
      'services.flume.sources[0].topic: flume source web writes to topic nope, which is not declared under topics: | declared topics: events, access',
    ]);
  });
});

describe('flume: tailed directories before a start, and the files a writer targets', () => {
  it('a taildir source checks its directories before the start (createDir: makes them, and says so in flume.conf)', async () => {
    const inv = await inventoryFromYaml(
      withSources(`      - { name: access, type: taildir, topic: access, paths: [/var/log/web/access.log, /var/log/web/error.log], createDir: true }
      - { name: app, type: taildir, topic: events, paths: [/srv/app/logs/*.log] }
      - { name: web, type: http, topic: events, port: 8081 }`),
    );
    const d = renderOn(inv, 'b', 'flume');
    const pre = d.preStart!;
    assert.equal(pre.sh.split('\n').length, 2, pre.sh);
    assert.match(pre.sh, /^mkdir -p \/var\/log\/web .*@fail flume taildir source access: cannot create \/var\/log\/web on b/m);
    assert.match(pre.sh, /^\[ -d \/srv\/app\/logs \] \|\| .*@fail flume taildir source app reads \/srv\/app\/logs, which does not exist on b/m);
    assert.match(pre.hint, /createDir: true/);
    assert.match(d.files['flume.conf']!, /^# pyro creates these directories when they are missing \(createDir\): \/var\/log\/web\n/);
    // Without taildir sources there is nothing to check.
    const http = await inventoryFromYaml(withSources('      - { name: web, type: http, topic: events, port: 8081 }'));
    assert.equal(renderOn(http, 'b', 'flume').preStart, undefined);
  });

  it('a pre-start refusal fails the start with its hint, before any stop', async () => {
    const { execFileSync: run } = await import('node:child_process');
    const inv = await inventoryFromYaml(withSources('      - { name: app, type: taildir, topic: events, paths: [/nonexistent/pyro-test/*.log] }'));
    const out = run('sh', ['-c', `${renderOn(inv, 'b', 'flume').preStart!.sh}\necho @started flume 1`]).toString();
    assert.equal(out.trim(), '@fail flume taildir source app reads /nonexistent/pyro-test, which does not exist on b');
  });

  it('createDir on a source that reads no files is refused, located', async () => {
    await assert.rejects(inventoryFromYaml(withSources('      - { name: web, type: http, topic: events, port: 8081, createDir: true }')), (e: unknown) => {
      assert.ok(e instanceof InventoryError);
      const d = e.diagnostics.find((x) => x.severity === 'error')!;
      assert.match(d.message, /http source web reads no files/);
      assert.match(d.hint ?? '', /remove `createDir:`/);
      assert.ok(d.line, 'located');
      return true;
    });
  });

  it('finds the agents that tail a file (globs matched as Flume matches them) and the plain files they tail', async () => {
    const { tailersOf, plainTailedFiles, globCovers } = await import('../../../src/services/flume/tailed.js');
    const inv = await inventoryFromYaml(
      yaml(
        `${AGENT_B}\n  - { name: c, address: 10.7.0.3, roles: [flume], services: { flume: { sources: [{ name: app, type: taildir, topic: events, paths: [/srv/app/*.log] }] } } }`,
        `services:\n  flume:\n    sources:\n      - { name: access, type: taildir, topic: access, paths: [/var/log/web/access.log] }`,
      ),
    );
    assert.deepEqual(
      tailersOf(inv, '/var/log/web/access.log').map((t) => [t.inst.host.name, t.source.name]),
      [['b', 'access']],
    );
    assert.deepEqual(
      tailersOf(inv, '/srv/app/x.log').map((t) => t.inst.host.name),
      ['c'],
    );
    assert.deepEqual(tailersOf(inv, '/srv/app/sub/x.log'), []);
    assert.deepEqual(
      plainTailedFiles(inv).map((t) => t.glob),
      ['/var/log/web/access.log'],
    );
    assert.ok(globCovers('/var/log/{a,b}-?.log', '/var/log/b-1.log'));
    assert.ok(!globCovers('/var/log/{a,b}-?.log', '/var/log/c-1.log'));
  });
});
