import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Inventory } from '../../../src/inventory/types.js';
import type { GroupStatusSnapshot, ProcessGroupEntity } from '../../../src/services/nifi/api.js';
import { deployable, deployedHash, flowsOf, markComment, parameterValues } from '../../../src/services/nifi/flows.js';
import { bulletinAge, flowHealth, healthProblem, recentErrors } from '../../../src/services/nifi/health.js';
import { APACHE_CONNECTION_SERVICE, APACHE_PUBLISHER, choosePublisher, PYRO_PUBLISHER, type AvailableTypes } from '../../../src/services/nifi/publisher.js';
import { flowLine, nifiSummary } from '../../../src/services/nifi/status.js';
import { allProcessors, parseTemplate, TemplateSyntaxError, type FlowDefinition } from '../../../src/services/nifi/template.js';
import { ROOT } from '../../helpers/cli.js';
import { instanceOf, inventoryFromYaml } from '../../helpers/rendered.js';

// Flows as code: a template's parameters filled in from the inventory, the definition hashed (what decides a
// redeploy), pyro's Kafka publisher swapped for Apache's when a node has it, and what a node's status reads as.

const HTTP_TO_KAFKA = path.join(ROOT, 'templates', 'nifi', 'http-to-kafka.json');
const template = (file = HTTP_TO_KAFKA): FlowDefinition => parseTemplate(file, readFileSync(file, 'utf8'));

const yaml = (flows: string) => `
cluster: { name: flowtest }
hosts:
  - { name: a, address: 10.7.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker] }
  - { name: b, address: 10.7.0.2, roles: [kafka-broker, nifi] }
services:
  nifi:
    flows:
${flows}
topics:
  - name: events
  - name: clicks
`;
const WEB = `      - { name: web, template: ${HTTP_TO_KAFKA}, parameters: { topic: events, listenPort: 9090 } }`;

const STANDARD_ONLY: AvailableTypes = {
  processors: [
    { type: 'org.apache.nifi.processors.standard.ListenHTTP', bundle: { group: 'org.apache.nifi', artifact: 'nifi-standard-nar', version: '2.3.0' } },
  ],
  services: [],
};
const KAFKA = (v: string) => ({ group: 'org.apache.nifi', artifact: 'nifi-kafka-nar', version: v });
const WITH_APACHE_KAFKA: AvailableTypes = {
  processors: [...STANDARD_ONLY.processors, { type: APACHE_PUBLISHER, bundle: KAFKA('2.3.0') }, { type: APACHE_PUBLISHER, bundle: KAFKA('2.10.0') }],
  services: [
    {
      type: APACHE_CONNECTION_SERVICE,
      bundle: { group: 'org.apache.nifi', artifact: 'nifi-kafka-3-service-nar', version: '2.10.0' },
      controllerServiceApis: [
        {
          type: 'org.apache.nifi.kafka.service.api.KafkaConnectionService',
          bundle: { group: 'org.apache.nifi', artifact: 'nifi-kafka-service-api-nar', version: '2.10.0' },
        },
      ],
    },
  ],
};

async function web(flows = WEB): Promise<Inventory> {
  return inventoryFromYaml(yaml(flows));
}

describe('nifi flows: parameters and hashes', () => {
  it("the template's values, the brokers for kafkaBrokers, the inventory's values over both", async () => {
    const inv = await web();
    const [flow] = flowsOf(instanceOf(inv, 'b', 'nifi'));
    assert.deepEqual(parameterValues(inv, flow!, template()), {
      listenPort: '9090',
      basePath: 'events',
      kafkaBrokers: '10.7.0.1:9092,10.7.0.2:9092',
      topic: 'events',
      batchSize: '100',
    });
  });

  it('the uploaded definition: group and parameter context named after the flow, values filled in, the hash in its comments', async () => {
    const inv = await web();
    const d = deployable(inv, flowsOf(instanceOf(inv, 'b', 'nifi'))[0]!, template(), STANDARD_ONLY);
    const def = JSON.parse(d.json) as FlowDefinition;
    assert.equal(def.flowContents.name, 'web');
    assert.equal(def.flowContents.parameterContextName, 'web');
    assert.deepEqual(Object.keys(def.parameterContexts!), ['web']);
    const values = Object.fromEntries(def.parameterContexts!.web!.parameters.map((p) => [p.name, p.value]));
    assert.equal(values.topic, 'events');
    assert.equal(values.listenPort, '9090');
    assert.equal(values.kafkaBrokers, '10.7.0.1:9092,10.7.0.2:9092');
    assert.match(d.hash, /^[0-9a-f]{16}$/);
    assert.equal(deployedHash(def.flowContents.comments), d.hash);
    assert.match(def.flowContents.comments!, /^HTTP POST bodies to Kafka/);
    assert.equal(d.publisher, 'pyro');
  });

  it('the hash: the same for the same inputs; another for a changed parameter, template or broker list; per flow', async () => {
    const inv = await web(`${WEB}\n      - { name: clicks, template: ${HTTP_TO_KAFKA}, parameters: { topic: clicks, listenPort: 9091 } }`);
    const [w, c] = flowsOf(instanceOf(inv, 'b', 'nifi'));
    const h = (i: Inventory, f = w!, t = template()) => deployable(i, f, t, STANDARD_ONLY).hash;
    assert.equal(h(inv), h(inv));
    const clicks = h(inv, c!);
    assert.notEqual(clicks, h(inv));
    const changed = await web(`      - { name: web, template: ${HTTP_TO_KAFKA}, parameters: { topic: events, listenPort: 9190 } }`);
    assert.notEqual(h(changed, flowsOf(instanceOf(changed, 'b', 'nifi'))[0]), h(inv));
    const t2 = template();
    t2.flowContents.processors[0]!.properties['Return Code'] = '204';
    assert.notEqual(h(inv, w, t2), h(inv));
    const moreBrokers = await inventoryFromYaml(
      yaml(WEB).replace('roles: [kafka-broker, nifi] }', 'roles: [kafka-broker, nifi] }\n  - { name: c, address: 10.7.0.3, roles: [kafka-broker] }'),
    );
    assert.notEqual(h(moreBrokers, flowsOf(instanceOf(moreBrokers, 'b', 'nifi'))[0]), h(inv));
    // The other flow's hash did not move when web's parameters did.
    assert.equal(h(changed, flowsOf(instanceOf(inv, 'b', 'nifi'))[1]), clicks);
  });

  it("deployedHash reads pyro's mark only", () => {
    assert.equal(deployedHash(markComment('0123456789abcdef', 'my notes')), '0123456789abcdef');
    assert.equal(deployedHash('my notes'), undefined);
    assert.equal(deployedHash(undefined), undefined);
    assert.equal(deployedHash('pyro flow 0123'), undefined);
  });
});

describe('nifi flows: the Kafka publisher', () => {
  it("keeps pyro's publisher when the node has no Apache Kafka NARs", () => {
    const { def, publisher } = choosePublisher(template(), STANDARD_ONLY);
    assert.equal(publisher, 'pyro');
    const p = allProcessors(def.flowContents).find((x) => x.name === 'Publish to Kafka')!;
    assert.equal(p.type, PYRO_PUBLISHER.type);
    assert.deepEqual(p.bundle, PYRO_PUBLISHER.bundle);
    assert.deepEqual(def.flowContents.controllerServices, []);
  });

  it("uses Apache's PublishKafka (newest bundle) with a Kafka3ConnectionService holding the brokers when the node has both", () => {
    const t = template();
    const { def, publisher } = choosePublisher(t, WITH_APACHE_KAFKA);
    assert.equal(publisher, 'apache');
    const p = allProcessors(def.flowContents).find((x) => x.name === 'Publish to Kafka')!;
    assert.equal(p.type, APACHE_PUBLISHER);
    assert.deepEqual(p.bundle, KAFKA('2.10.0'));
    const [svc] = def.flowContents.controllerServices;
    assert.ok(svc);
    assert.equal(svc.type, APACHE_CONNECTION_SERVICE);
    assert.equal(svc.bundle.artifact, 'nifi-kafka-3-service-nar');
    assert.deepEqual(svc.properties, { 'bootstrap.servers': '#{kafkaBrokers}' });
    assert.equal((svc.controllerServiceApis as { type: string }[])[0]!.type, 'org.apache.nifi.kafka.service.api.KafkaConnectionService');
    assert.deepEqual(p.properties, {
      'Kafka Connection Service': svc.identifier,
      'Topic Name': '#{topic}',
      acks: 'all',
      'Message Demarcator': null,
      'Transactions Enabled': 'false',
    });
    assert.equal(p.propertyDescriptors!['Kafka Connection Service']!.identifiesControllerService, true);
    // The connections still run to and from the same processor; the template itself is untouched.
    assert.ok(def.flowContents.connections.some((c) => c.destination.id === p.identifier));
    assert.equal(allProcessors(t.flowContents).find((x) => x.name === 'Publish to Kafka')!.type, PYRO_PUBLISHER.type);
    // Deterministic: the same service id each time, so the hash only moves when the node's types do.
    assert.equal(choosePublisher(t, WITH_APACHE_KAFKA).def.flowContents.controllerServices[0]!.identifier, svc.identifier);
  });

  it('the delivery guarantee and demarcator carry over (files-to-kafka splits lines)', () => {
    const t = template(path.join(ROOT, 'templates', 'nifi', 'files-to-kafka.json'));
    allProcessors(t.flowContents).find((x) => x.type === PYRO_PUBLISHER.type)!.properties['Delivery Guarantee'] = '1';
    const p = allProcessors(choosePublisher(t, WITH_APACHE_KAFKA).def.flowContents).find((x) => x.type === APACHE_PUBLISHER)!;
    assert.equal(p.properties.acks, '1');
    assert.equal(p.properties['Message Demarcator'], '\n');
  });

  it("Apache's processor without its connection service is not enough: pyro's stays", () => {
    const partial: AvailableTypes = { processors: WITH_APACHE_KAFKA.processors, services: [] };
    assert.equal(choosePublisher(template(), partial).publisher, 'pyro');
  });

  it('the rewrite changes the hash (a node that gains the NARs redeploys)', async () => {
    const inv = await web();
    const f = flowsOf(instanceOf(inv, 'b', 'nifi'))[0]!;
    const a = deployable(inv, f, template(), STANDARD_ONLY);
    const b = deployable(inv, f, template(), WITH_APACHE_KAFKA);
    assert.notEqual(a.hash, b.hash);
    assert.equal(b.publisher, 'apache');
  });
});

describe('nifi flows: templates', () => {
  it('the shipped templates are flow definitions with a parameter context', () => {
    for (const f of ['http-to-kafka.json', 'files-to-kafka.json']) {
      const t = template(path.join(ROOT, 'templates', 'nifi', f));
      assert.ok(t.parameterContexts?.[t.flowContents.parameterContextName!], f);
      assert.ok(
        allProcessors(t.flowContents).some((p) => p.type === PYRO_PUBLISHER.type),
        f,
      );
    }
  });

  it('a JSON error is located by line and column', () => {
    const err = (text: string) => {
      try {
        parseTemplate('t.json', text);
      } catch (e) {
        assert.ok(e instanceof TemplateSyntaxError);
        return `${e.line}:${e.col} ${e.reason}`;
      }
      assert.fail('parsed');
    };
    assert.equal(err('{\n  "flowContents": {}\n  "x": 1\n}'), "3:3 not valid JSON: Expected ',' or '}' after property value");
    assert.match(err('{\n  "flowContents": {\n'), /^3:1 not valid JSON/);
    assert.equal(err('[1, 2]'), '1:1 not a NiFi flow definition: it has no flowContents object');
  });
});

describe('nifi flows: health and status', () => {
  const group = (comments: string): ProcessGroupEntity => ({ id: 'g1', revision: { version: 3 }, component: { id: 'g1', name: 'web', comments } });
  const status = (runStatus: string[], queued: number[]): GroupStatusSnapshot => ({
    id: 'g1',
    name: 'web',
    flowFilesIn: 0,
    flowFilesOut: 0,
    flowFilesReceived: 600,
    flowFilesSent: 300,
    flowFilesQueued: queued.reduce((a, b) => a + b, 0),
    bytesQueued: 0,
    processorStatusSnapshots: runStatus.map((r, i) => ({ processorStatusSnapshot: { id: `p${i}`, name: `P${i}`, type: 'X', runStatus: r, groupId: 'g1' } })),
    connectionStatusSnapshots: queued.map((q, i) => ({
      connectionStatusSnapshot: {
        id: `c${i}`,
        name: '',
        sourceName: `P${i}`,
        destinationName: `P${i + 1}`,
        flowFilesQueued: q,
        bytesQueued: 0,
        percentUseCount: q / 100,
        percentUseBytes: 0,
      },
    })),
  });
  const board = (generated: string, ...b: [string, string, string][]) => ({
    generated,
    bulletins: b.map(([level, timestamp, message], i) => ({ id: i + 1, level, timestamp, message, sourceName: 'Publish' })),
  });

  it("a bulletin's age on NiFi's clock, across midnight too", () => {
    assert.equal(bulletinAge({ id: 1, level: 'ERROR', message: '', timestamp: '10:00:00 UTC' }, '10:01:30 UTC'), 90);
    assert.equal(bulletinAge({ id: 1, level: 'ERROR', message: '', timestamp: '23:59:50 UTC' }, '00:00:10 UTC'), 20);
    assert.equal(bulletinAge({ id: 1, level: 'ERROR', message: '' }, '00:00:10 UTC'), undefined);
  });

  it('recent ERROR bulletins only (not WARN, not older than two minutes)', () => {
    const b = board(
      '12:05:00 UTC',
      ['ERROR', '12:04:30 UTC', 'PublishKafkaPyro[id=444c896a-5e84-3d3a-19e2-80dad354c187] Failed to send\n to Kafka'],
      ['WARN', '12:04:50 UTC', 'slow'],
      ['ERROR', '12:01:00 UTC', 'old'],
      ['ERROR', '12:04:40 UTC', 'PublishKafkaPyro[id=444c896a-5e84-3d3a-19e2-80dad354c187] Failed to send to Kafka'],
    );
    assert.deepEqual(recentErrors(b), ['Publish: Failed to send to Kafka']);
  });

  it('a flow: processors running, rates over five minutes, queue and its fill, errors; a problem when not all run', () => {
    const h = flowHealth('web', group(markComment('0123456789abcdef')), status(['Running', 'Running'], [50, 8500]), board('12:00:00 UTC'));
    assert.equal(h.hash, '0123456789abcdef');
    assert.equal(h.running, 2);
    assert.equal(h.inPerSec, 2);
    assert.equal(h.outPerSec, 1);
    assert.equal(h.queued, 8550);
    assert.equal(h.fillPercent, 85);
    assert.equal(h.fullest, 'P1 -> P2');
    assert.equal(healthProblem(h), undefined);
    assert.equal(flowLine(h), 'web RUNNING 2/2, 2.00/s in, 1.00/s out, 8550 queued (85% of back-pressure)');
    const stopped = flowHealth('web', group(''), status(['Running', 'Stopped'], [0]), board('12:00:00 UTC', ['ERROR', '11:59:00 UTC', 'boom']));
    assert.equal(healthProblem(stopped), 'flow web: not running: P1 (Stopped); ERROR bulletins: Publish: boom');
    const sum = nifiSummary([
      { host: 'b', url: 'https://10.7.0.2:8443/nifi/', flows: [h, stopped] },
      { host: 'c', url: 'https://10.7.0.3:8443/nifi/', error: 'nifi on c: ECONNREFUSED (read /var/lib/pyro/logs/nifi/nifi-app.log on c)' },
    ]);
    assert.equal(sum.key, 'nifi');
    assert.deepEqual(sum.lines, [
      'NiFi   b: web RUNNING 2/2, 2.00/s in, 1.00/s out, 8550 queued (85% of back-pressure); web PARTLY RUNNING 1/2, 2.00/s in, 1.00/s out, 0 queued (0% of back-pressure), 1 ERROR bulletin',
      'NiFi   c: unreachable: nifi on c: ECONNREFUSED (read /var/lib/pyro/logs/nifi/nifi-app.log on c)',
    ]);
    assert.deepEqual(sum.problems, [
      'NiFi on b: flow web: P1 -> P2 is 85% of its back-pressure threshold (what it feeds does not keep up)',
      'NiFi on b: flow web: not running: P1 (Stopped); ERROR bulletins: Publish: boom',
      'nifi on c: ECONNREFUSED (read /var/lib/pyro/logs/nifi/nifi-app.log on c)',
    ]);
  });
});
