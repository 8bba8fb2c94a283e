import { PYRO_NIFI_KAFKA } from '../../../src/artifacts/recipes/nifi-kafka.js';
import { shellQuote as q } from '../../../src/hosts/host.js';
import { run } from './kafka.js';
import type { RunningNifi } from './nifi.js';

/** The Kafka the flow publishes to, as the check drives it (stopped and started again for the outage). */
export interface KafkaControl {
  bootstrap: string;
  stop(): Promise<void>;
  /** Starts it again on the same data. */
  start(): Promise<void>;
}

export interface NifiKafkaCheck {
  topic: string;
  /** ListenHTTP's port on the NiFi host. */
  listenPort: number;
  /** Records posted while Kafka runs, and while it is stopped. */
  records: number;
  outageRecords: number;
  /** Lines (records) per HTTP POST, so per flowfile. */
  perPost: number;
}

/** What checkNifiKafka saw; `text` is the evidence line. */
export interface NifiKafkaResult {
  text: string;
  bundle: string;
  /** What kcat read after the first phase and at the end: messages, distinct values, and whether they are exactly the records posted. */
  first: KcatCount;
  final: KcatCount;
  /** Flowfiles that reached success before the outage, during it, and at the end. */
  successBefore: number;
  successDuringOutage: number;
  successAtEnd: number;
  /** Flowfiles held (input queue + failure loop) when the ERROR bulletin was seen, and of them in the failure loop. */
  heldDuringOutage: number;
  inFailureLoop: number;
  bulletin: string;
  /** Attributes of a delivered flowfile. */
  attributes: Record<string, string>;
}

export interface KcatCount {
  messages: number;
  distinct: number;
  exact: boolean;
}

const STANDARD_TYPE = (name: string) => `org.apache.nifi.processors.standard.${name}`;

interface Bundle {
  group: string;
  artifact: string;
  version: string;
}
interface Revised {
  id: string;
  revision: { version: number };
  component: Record<string, unknown>;
}

/** Host-side: POSTs records `rec-NNNNN` (one per line, `per` per request) to ListenHTTP, retrying until it listens. */
const POST_PY = `import sys, time, urllib.request
url, first, count, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
posts, t0 = 0, time.time()
for start in range(first, first + count, per):
    body = "".join("rec-%05d\\n" % i for i in range(start, min(start + per, first + count))).encode()
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=30) as r:
                if r.status != 200: raise SystemExit("ListenHTTP answered HTTP %d" % r.status)
            break
        except OSError as e:
            if posts or time.time() - t0 > 60: raise
            time.sleep(1)
    posts += 1
print(posts)
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

/** The records `rec-<first>` .. `rec-<first+count-1>`, as posted. */
const expected = (first: number, count: number) => Array.from({ length: count }, (_, i) => `rec-${String(first + i).padStart(5, '0')}`);

/**
 * On a running NiFi (see smokeNifi's `during`): finds PublishKafkaPyro among the processor types, builds
 * ListenHTTP -> PublishKafkaPyro (success to a funnel, failure looping back) through the REST API, posts records,
 * and counts what reached the topic with kcat, an independent client; then stops Kafka, posts more, waits for the
 * processor's ERROR bulletin while the flowfiles stay in NiFi, starts Kafka again and waits until they arrive.
 */
export async function checkNifiKafka(nifi: RunningNifi, kafka: KafkaControl, c: NifiKafkaCheck): Promise<NifiKafkaResult> {
  const { api } = nifi;
  const types = (await api<{ processorTypes: { type: string; bundle: Bundle }[] }>('GET', '/flow/processor-types')).processorTypes;
  const find = (type: string) => {
    const t = types.find((p) => p.type === type);
    if (!t) throw new Error(`${type} is not among the ${types.length} processor types`);
    return t.bundle;
  };
  const pubBundle = find(PYRO_NIFI_KAFKA.processor);
  const bundle = `${pubBundle.group}:${pubBundle.artifact}:${pubBundle.version}`;
  const root = (await api<{ processGroupFlow: { id: string } }>('GET', '/flow/process-groups/root')).processGroupFlow.id;
  await grantDataRead(nifi, root);

  const listen = await addProcessor(nifi, root, STANDARD_TYPE('ListenHTTP'), find(STANDARD_TYPE('ListenHTTP')), 'pyro-listen', 0, {
    'Listening Port': String(c.listenPort),
    'Base Path': 'contentListener',
  });
  const publish = await addProcessor(
    nifi,
    root,
    PYRO_NIFI_KAFKA.processor,
    pubBundle,
    'pyro-publish',
    250,
    {
      'Kafka Brokers': kafka.bootstrap,
      'Topic Name': c.topic,
      // A backslash escape, as a flow definition written by hand would carry it.
      'Message Demarcator': '\\n',
      'Batch Size': '50',
      // Dynamic properties reach the producer: short timeouts keep the outage phase short.
      'delivery.timeout.ms': '8000',
      'request.timeout.ms': '5000',
      'max.block.ms': '5000',
    },
    { penaltyDuration: '2 sec' },
  );
  const sink = await api<Revised>('POST', `/process-groups/${root}/funnels`, { revision: { version: 0 }, component: { position: { x: 0, y: 500 } } });
  const connect = async (from: string, to: string, toType: 'PROCESSOR' | 'FUNNEL', rel: string) =>
    (
      await api<Revised>('POST', `/process-groups/${root}/connections`, {
        revision: { version: 0 },
        component: {
          source: { id: from, groupId: root, type: 'PROCESSOR' },
          destination: { id: to, groupId: root, type: toType },
          selectedRelationships: [rel],
        },
      })
    ).id;
  const input = await connect(listen, publish, 'PROCESSOR', 'success');
  const success = await connect(publish, sink.id, 'FUNNEL', 'success');
  const failure = await connect(publish, publish, 'PROCESSOR', 'failure');
  const queued = async (conn: string) =>
    (await api<{ connectionStatus: { aggregateSnapshot: { flowFilesQueued: number } } }>('GET', `/flow/connections/${conn}/status`)).connectionStatus
      .aggregateSnapshot.flowFilesQueued;
  for (const id of [publish, listen]) await startProcessor(nifi, id);

  const url = `http://127.0.0.1:${c.listenPort}/contentListener`;
  const post = (first: number, count: number) => run(nifi.host, ['python3', '-c', POST_PY, url, first, count, c.perPost].map((a) => q(String(a))).join(' '));
  const flowFiles = (n: number) => Math.ceil(n / c.perPost);
  const kcat = async (records: string[]): Promise<KcatCount> => {
    const out = await run(nifi.host, `kcat -C -b ${q(kafka.bootstrap)} -t ${q(c.topic)} -o beginning -e -q -f '%s\\n'`, 60_000);
    const got = out.split('\n').filter(Boolean);
    const distinct = new Set(got);
    return { messages: got.length, distinct: distinct.size, exact: distinct.size === records.length && records.every((r) => distinct.has(r)) };
  };

  let t0 = Date.now();
  await post(0, c.records);
  const successBefore = await until(
    'all posted flowfiles delivered',
    async () => ((await queued(success)) >= flowFiles(c.records) ? queued(success) : undefined),
    120_000,
  );
  const firstSeconds = (Date.now() - t0) / 1000;
  const first = await kcat(expected(0, c.records));
  const attributes = await firstAttributes(nifi, success);

  await kafka.stop();
  t0 = Date.now();
  await post(c.records, c.outageRecords);
  const bulletin = await until(
    'an ERROR bulletin from PublishKafkaPyro',
    async () => {
      const b = await api<{ bulletinBoard: { bulletins: { bulletin?: { level: string; message: string } }[] } }>(
        'GET',
        `/flow/bulletin-board?sourceId=${publish}&limit=20`,
      );
      return b.bulletinBoard.bulletins.map((x) => x.bulletin).find((x) => x?.level === 'ERROR')?.message;
    },
    120_000,
  );
  const bulletinSeconds = (Date.now() - t0) / 1000;
  // The bulletin is logged before the session that routes the flowfile commits.
  const inFailureLoop = await until('a flowfile routed to failure', async () => ((await queued(failure)) > 0 ? queued(failure) : undefined), 30_000);
  const heldDuringOutage = (await queued(input)) + inFailureLoop;
  const successDuringOutage = await queued(success);

  await kafka.start();
  t0 = Date.now();
  const total = c.records + c.outageRecords;
  const successAtEnd = await until(
    'the held flowfiles delivered after Kafka came back',
    async () => ((await queued(success)) >= flowFiles(total) ? queued(success) : undefined),
    180_000,
  );
  const backSeconds = (Date.now() - t0) / 1000;
  const final = await kcat(expected(0, total));
  for (const id of [listen, publish]) await stopProcessor(nifi, id);

  const text =
    `PublishKafkaPyro listed in ${bundle}; ListenHTTP -> PublishKafkaPyro (demarcator \\n): ${c.records} records in ${flowFiles(c.records)} POSTs ` +
    `delivered in ${firstSeconds.toFixed(1)} s, kcat read ${first.messages} (${first.distinct} distinct${first.exact ? ', exactly those posted' : ', NOT those posted'}); ` +
    `a delivered flowfile has kafka.topic=${attributes['kafka.topic']} kafka.count=${attributes['kafka.count']}; ` +
    `Kafka stopped: ${flowFiles(c.outageRecords)} more flowfiles, ERROR bulletin after ${bulletinSeconds.toFixed(1)} s ("...${bulletin.replace(/^.*? to Kafka topic/s, 'to Kafka topic').slice(0, 400)}"), ` +
    `${heldDuringOutage} held in NiFi (${inFailureLoop} routed to failure), success stayed ${successDuringOutage}; Kafka back: all ${successAtEnd} flowfiles delivered ${backSeconds.toFixed(1)} s after its start, ` +
    `kcat read ${final.messages} (${final.distinct} distinct${final.exact ? ', exactly those posted' : ', NOT those posted'})`;
  return { text, bundle, first, final, successBefore, successDuringOutage, successAtEnd, heldDuringOutage, inFailureLoop, bulletin, attributes };
}

/** Adds a processor; `props` by display name (dynamic properties by their own name), `config` as the REST API takes it. */
async function addProcessor(
  nifi: RunningNifi,
  group: string,
  type: string,
  bundle: Bundle,
  name: string,
  y: number,
  props: Record<string, string>,
  config: Record<string, unknown> = {},
): Promise<string> {
  const created = await nifi.api<Revised>('POST', `/process-groups/${group}/processors`, {
    revision: { version: 0 },
    component: { type, bundle, name, position: { x: 0, y } },
  });
  const descriptors = (created.component.config as { descriptors: Record<string, { name: string; displayName: string }> }).descriptors;
  const byDisplay = new Map(Object.values(descriptors).map((d) => [d.displayName, d.name]));
  const properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [byDisplay.get(k) ?? k, v]));
  await nifi.api('PUT', `/processors/${created.id}`, { revision: created.revision, component: { id: created.id, config: { ...config, properties } } });
  return created.id;
}

/** Waits until the processor is valid (or says why not), then starts it. */
async function startProcessor(nifi: RunningNifi, id: string): Promise<void> {
  const p = await until(
    `processor ${id} valid`,
    async () => {
      const p = await nifi.api<Revised>('GET', `/processors/${id}`);
      const status = p.component.validationStatus;
      if (status === 'INVALID') throw new Error(`processor ${String(p.component.name)} is invalid: ${JSON.stringify(p.component.validationErrors)}`);
      return status === 'VALID' ? p : undefined;
    },
    30_000,
  );
  await nifi.api('PUT', `/processors/${id}/run-status`, { revision: p.revision, state: 'RUNNING' });
}

async function stopProcessor(nifi: RunningNifi, id: string): Promise<void> {
  const p = await nifi.api<Revised>('GET', `/processors/${id}`);
  await nifi.api('PUT', `/processors/${id}/run-status`, { revision: p.revision, state: 'STOPPED' });
}

/** Lets the admin read flowfile content and attributes in the group (listing a queue needs it). */
async function grantDataRead(nifi: RunningNifi, group: string): Promise<void> {
  const users = (await nifi.api<{ users: { id: string; component: { identity: string } }[] }>('GET', '/tenants/users')).users;
  const me = (await nifi.api<{ identity: string }>('GET', '/flow/current-user')).identity;
  const id = users.find((u) => u.component.identity === me)?.id;
  if (!id) throw new Error(`no NiFi user for ${me}`);
  await nifi.api('POST', '/policies', { revision: { version: 0 }, component: { action: 'read', resource: `/data/process-groups/${group}`, users: [{ id }] } });
}

/** The attributes of the first flowfile queued in `connection`, through a queue listing. */
async function firstAttributes(nifi: RunningNifi, connection: string): Promise<Record<string, string>> {
  type Listing = { listingRequest: { id: string; finished: boolean; flowFileSummaries?: { uuid: string }[] } };
  const req = (await nifi.api<Listing>('POST', `/flowfile-queues/${connection}/listing-requests`)).listingRequest;
  try {
    const done = await until(
      'the queue listing',
      async () => {
        const l = (await nifi.api<Listing>('GET', `/flowfile-queues/${connection}/listing-requests/${req.id}`)).listingRequest;
        return l.finished ? l : undefined;
      },
      30_000,
    );
    const uuid = done.flowFileSummaries?.[0]?.uuid;
    if (!uuid) throw new Error('the success queue listing is empty');
    return (await nifi.api<{ flowFile: { attributes: Record<string, string> } }>('GET', `/flowfile-queues/${connection}/flowfiles/${uuid}`)).flowFile
      .attributes;
  } finally {
    await nifi.api('DELETE', `/flowfile-queues/${connection}/listing-requests/${req.id}`).catch(() => undefined);
  }
}
