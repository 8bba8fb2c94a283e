import { strict as assert } from 'node:assert';
import { InventoryError } from '../../../src/inventory/diagnostics.js';
import { inventoryFromYaml } from '../../helpers/rendered.js';

// The inventory's checks of Logstash pipelines (beside test/fixtures/invalid/6x-logstash-*): every message located
// where the fix goes, with a hint, before any host is touched.

const KAFKA_HOST =
  '  - { name: a, address: 10.7.0.1, roles: [hdfs-namenode, hdfs-datanode, yarn-resourcemanager, yarn-nodemanager, kafka-controller, kafka-broker] }';
const yaml = (hosts: string, services: string) => `
cluster: { name: lstest }
hosts:
${KAFKA_HOST}
${hosts}
services:
  logstash:
${services}
topics:
  - name: access
  - name: events
`;
const LS_B = '  - { name: b, address: 10.7.0.2, roles: [kafka-broker, logstash] }';
const withPipelines = (pipelines: string) => yaml(LS_B, `    pipelines:\n${pipelines}`);
const pipeline = (fields: string) => `      - { name: p, ${fields} }`;
const OUT = 'output: { kafka: { topic: events } }';

async function errors(text: string): Promise<string[]> {
  const e = await inventoryFromYaml(text).then(
    () => assert.fail('expected the inventory to be rejected'),
    (x: unknown) => x,
  );
  assert.ok(e instanceof InventoryError, String(e));
  // In file order, as the CLI prints them.
  return e.diagnostics
    .filter((d) => d.severity === 'error')
    .sort((x, y) => x.line - y.line || x.col - y.col)
    .map((d) => `${d.path}: ${d.message} | ${d.hint}`);
}

describe('logstash rules: plugins', () => {
  it('an unknown input, filter or output, with a did-you-mean and what pyro renders', async () => {
    assert.deepEqual(
      await errors(
        withPipelines(
          pipeline(
            `inputs: [{ type: fiel, paths: [/var/log/x.log] }, { type: kafka, port: 9092 }], filters: [{ gork: { match: { message: x } } }, { ruby: { code: "1" } }], output: { kafak: { topic: events } }`,
          ),
        ),
      ),
      [
        'services.logstash.pipelines[0].inputs[0].type: logstash pipeline p: unknown input `fiel` | did you mean `file`? pyro renders the inputs file, tcp, syslog, beats',
        'services.logstash.pipelines[0].inputs[1].type: logstash pipeline p: unknown input `kafka` | pyro renders the inputs file, tcp, syslog, beats',
        'services.logstash.pipelines[0].filters[0].gork: logstash pipeline p: unknown filter `gork` | did you mean `grok`? pyro renders the filters grok, json, date, mutate',
        'services.logstash.pipelines[0].filters[1].ruby: logstash pipeline p: unknown filter `ruby` | pyro renders the filters grok, json, date, mutate',
        "services.logstash.pipelines[0].output.kafak: logstash pipeline p: unknown output `kafak` | did you mean `kafka`? pyro's pipelines write to Kafka: output: { kafka: { topic: access } }",
      ],
    );
  });

  it('an output pyro does not render, none, or two; a filter entry naming two plugins or none', async () => {
    assert.deepEqual(
      await errors(
        withPipelines(`${pipeline('inputs: [{ type: tcp, port: 5000 }], output: { elasticsearch: { hosts: [x] } }')}
      - { name: q, inputs: [{ type: tcp, port: 5001 }], output: {} }
      - { name: r, inputs: [{ type: tcp, port: 5002 }], output: { kafka: { topic: events }, stdout: {} }, filters: [{ grok: {}, date: {} }, {}] }`),
      ),
      [
        "services.logstash.pipelines[0].output.elasticsearch: logstash pipeline p: unknown output `elasticsearch` | pyro's pipelines write to Kafka: output: { kafka: { topic: access } }",
        'services.logstash.pipelines[1].output: pipeline q names no output | one output: output: { kafka: { topic: access } }',
        'services.logstash.pipelines[2].output: pipeline r names 2 outputs | one output: output: { kafka: { topic: access } }',
        'services.logstash.pipelines[2].filters[0]: a filter of pipeline r names 2 plugins (grok, date) | one list entry per filter, e.g. `- grok: { match: { message: "%{COMBINEDAPACHELOG}" } }` then `- date: {...}`',
        'services.logstash.pipelines[2].filters[1]: a filter of pipeline r names no plugin | one list entry per filter, e.g. `- grok: { match: { message: "%{COMBINEDAPACHELOG}" } }` then `- date: {...}`',
      ],
    );
  });

  it('the schema refuses what no pipeline can be: no inputs, no output, an unknown codec or field', async () => {
    const got = await errors(
      withPipelines(`${pipeline('inputs: []')}
      - { name: q, inputs: [{ type: tcp, port: 5000, codec: jsonlines, tags: [x] }], ${OUT} }`),
    );
    assert.deepEqual(got, [
      // A missing field is located at its parent (the pipeline's own line and column).
      'services.logstash.pipelines[0].output: required field `output` is missing | add `output:` here',
      'services.logstash.pipelines[0].inputs: needs at least 1 item(s) | add an entry to this list',
      'services.logstash.pipelines[1].inputs[0].codec: unknown value `jsonlines` | did you mean `json_lines`? allowed: plain, json, line, json_lines',
      'services.logstash.pipelines[1].inputs[0].tags: unknown field `tags` | allowed here: type, paths, port, codec, startPosition',
    ]);
  });
});

describe('logstash rules: inputs', () => {
  it('file inputs: paths, absolute, no port; network inputs: a port, no paths; codecs their type takes', async () => {
    assert.deepEqual(
      await errors(
        withPipelines(
          pipeline(`inputs: [
            { type: file },
            { type: file, paths: [/var/log/ok.log, logs/app.log, "*.log"], port: 5000, codec: line },
            { type: tcp, paths: [/var/log/x.log], startPosition: end },
            { type: beats, port: 5044, codec: json }
          ], ${OUT}`),
        ),
      ),
      [
        'services.logstash.pipelines[0].inputs[0]: file input of pipeline p has no paths | add `paths: [/var/log/app/*.log]`',
        'services.logstash.pipelines[0].inputs[1].paths[1]: file input of pipeline p: logs/app.log is not an absolute path | write the full path on the host, e.g. /var/log/app/app.log',
        'services.logstash.pipelines[0].inputs[1].paths[2]: file input of pipeline p: *.log is not an absolute path | write the full path on the host, e.g. /var/log/app/*.log',
        'services.logstash.pipelines[0].inputs[1].port: file input of pipeline p listens on no port | remove `port:` (it reads files: see `paths:`)',
        'services.logstash.pipelines[0].inputs[1].codec: file input of pipeline p takes the codec plain or json, not line | codec: plain (the default) or json',
        'services.logstash.pipelines[0].inputs[2]: tcp input of pipeline p has no port | add `port:`, e.g. port: 5000',
        'services.logstash.pipelines[0].inputs[2].paths: tcp input of pipeline p reads no files | remove `paths:` (only file inputs read files)',
        'services.logstash.pipelines[0].inputs[2].startPosition: tcp input of pipeline p reads no files | remove `startPosition:` (only file inputs have one)',
        'services.logstash.pipelines[0].inputs[3].codec: beats input of pipeline p takes no codec, not json | remove `codec:` (a beats input decodes its own protocol)',
      ],
    );
  });

  it("ports: two inputs on one port clash, a syslog input's UDP side too; TCP and UDP listeners may share a number", async () => {
    assert.deepEqual(
      await errors(
        withPipelines(`${pipeline(`inputs: [{ type: tcp, port: 5514 }, { type: beats, port: 9600 }], ${OUT}`)}
      - { name: q, inputs: [{ type: syslog, port: 5514 }], ${OUT} }`),
      ),
      [
        'services.logstash.pipelines[0].inputs[1].port: port 9600 on host b is claimed by both logstash (api) and logstash (input p-beats-2) | change one of them, e.g. services.logstash.pipelines[0].inputs[1].port: 9601, or move one role to another host',
        'services.logstash.pipelines[1].inputs[0].port: port 5514 on host b is claimed by both logstash (input p-tcp-1) and logstash (input q-syslog-1) | change one of them, e.g. services.logstash.pipelines[1].inputs[0].port: 5515, or move one role to another host',
      ],
    );
  });
});

describe('logstash rules: pipelines, topics and values', () => {
  it('a topic not declared under topics:; a pipeline name given twice on a host', async () => {
    assert.deepEqual(
      await errors(
        withPipelines(`${pipeline('inputs: [{ type: tcp, port: 5000 }], output: { kafka: { topic: acces } }')}
      - { name: p, inputs: [{ type: tcp, port: 5001 }], ${OUT} }`),
      ),
      [
        'services.logstash.pipelines[0].output.kafka.topic: logstash pipeline p writes to topic acces, which is not declared under topics: | declared topics: access, events',
        'services.logstash.pipelines[1].name: logstash pipeline p is declared twice (on b) | give each pipeline of a host its own name (it is the pipeline id and names its .conf)',
      ],
    );
  });

  it('a Logstash without a pipeline (it would exit): located at its role on the host', async () => {
    const got = await errors(yaml(LS_B, '    heap: 512m'));
    assert.deepEqual(got, [
      "hosts[1].roles[1]: logstash on b runs no pipeline (Logstash exits without one) | declare services.logstash.pipelines (or the host's own), e.g. [{ name: app, inputs: [{ type: file, paths: [/var/log/app/*.log] }], output: { kafka: { topic: app } } }]",
    ]);
  });

  it('values a .conf cannot hold: a string ending in a backslash (anywhere in an option), null, an option name that is no bareword', async () => {
    assert.deepEqual(
      await errors(
        withPipelines(
          pipeline(
            `inputs: [{ type: file, paths: ['/var/log/x\\'] }], filters: [{ mutate: { gsub: [path, "/", '\\'], 'bad name': 1, add_tag: } }, { grok: { match: { message: ['ok', 'C:\\'] } } }], output: { kafka: { topic: events, key: 'k\\' } }`,
          ),
        ),
      ),
      [
        'services.logstash.pipelines[0].inputs[0].paths[0]: file input of pipeline p: /var/log/x\\ ends in a backslash, which no Logstash config string can end in | drop the trailing backslash or add a character after it (a regex ending in \\ escapes nothing)',
        'services.logstash.pipelines[0].filters[0].mutate.gsub[2]: mutate filter of pipeline p: gsub[2] ends in a backslash, which no Logstash config string can end in | drop the trailing backslash or add a character after it (a regex ending in \\ escapes nothing)',
        'services.logstash.pipelines[0].filters[0].mutate["bad name"]: mutate filter of pipeline p: `bad name` is not a Logstash option name | option names are letters, digits, _ and -: see the mutate filter\'s options in Logstash\'s docs',
        'services.logstash.pipelines[0].filters[0].mutate.add_tag: mutate filter of pipeline p: add_tag is empty (null), which has no form in a Logstash config | give it a value, or quote it ("null") if the word is meant',
        'services.logstash.pipelines[0].filters[1].grok.match.message[1]: grok filter of pipeline p: match.message[1] ends in a backslash, which no Logstash config string can end in | drop the trailing backslash or add a character after it (a regex ending in \\ escapes nothing)',
        'services.logstash.pipelines[0].output.kafka.key: kafka output of pipeline p: key ends in a backslash, which no Logstash config string can end in | drop the trailing backslash or add a character after it (a regex ending in \\ escapes nothing)',
      ],
    );
  });

  it("the component-wide list is checked even when every host has its own; a host's own list is located in its block", async () => {
    const got = await errors(
      yaml(
        `  - name: b
    address: 10.7.0.2
    roles: [kafka-broker, logstash]
    services: { logstash: { pipelines: [{ name: own, inputs: [{ type: fiel }], ${OUT} }] } }`,
        `    pipelines: [{ name: p, inputs: [{ type: tcp, port: 5000 }], output: { kafka: { topic: nope } } }]`,
      ),
    );
    assert.deepEqual(got, [
      'hosts[1].services.logstash.pipelines[0].inputs[0].type: logstash pipeline own: unknown input `fiel` | did you mean `file`? pyro renders the inputs file, tcp, syslog, beats',
      'services.logstash.pipelines[0].output.kafka.topic: logstash pipeline p writes to topic nope, which is not declared under topics: | declared topics: access, events',
    ]);
  });
});
