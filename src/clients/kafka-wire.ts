import net from 'node:net';

/** One replica of the KRaft metadata log as the quorum leader sees it. */
export interface QuorumReplica {
  id: number;
  logEndOffset: bigint;
}

/** DescribeQuorum's answer for `__cluster_metadata-0`. */
export interface QuorumState {
  /** 0, or NOT_LEADER_OR_FOLLOWER (6) from a controller that is not the leader: only the leader describes it. */
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  highWatermark: bigint;
  voters: QuorumReplica[];
  /** Brokers (and non-voting controllers) following the log. */
  observers: QuorumReplica[];
}

const API_VERSIONS = 18;
const API_DESCRIBE_QUORUM = 55;
const API_DESCRIBE_CLUSTER = 60;
export const NOT_LEADER = 6;
const METADATA_TOPIC = '__cluster_metadata';

function uvarint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

/** A size-prefixed request with header v2 (flexible: client id, then an empty tag buffer). */
function frame(apiKey: number, version: number, correlationId: number, clientId: string, body: Buffer): Buffer {
  const client = Buffer.from(clientId);
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(client.length, 8);
  const payload = Buffer.concat([header, client, uvarint(0), body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

/** DescribeQuorum v0 for partition 0 of the metadata topic (flexible encoding: compact arrays, tag buffers). */
export function encodeDescribeQuorum(correlationId: number, clientId = 'pyro'): Buffer {
  const topic = Buffer.from(METADATA_TOPIC);
  return frame(
    API_DESCRIBE_QUORUM,
    0,
    correlationId,
    clientId,
    Buffer.concat([
      uvarint(2),
      uvarint(topic.length + 1),
      topic, // one topic
      uvarint(2),
      Buffer.alloc(4),
      uvarint(0), // one partition (index 0) + its tags
      uvarint(0), // topic tags
      uvarint(0), // request tags
    ]),
  );
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos = 0,
  ) {}
  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): bigint {
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  uvarint(): number {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++]!;
      n |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return n >>> 0;
      shift += 7;
    }
  }
  compactNullableString(): string | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  compactString(): string {
    const len = this.uvarint() - 1;
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  /** Skips a tag buffer (tagged fields we do not read). */
  tags(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint(); // tag
      const size = this.uvarint(); // read before moving pos: `pos += uvarint()` would read pos first
      this.pos += size;
    }
  }
  array<T>(item: () => T): T[] {
    const n = this.uvarint() - 1;
    return Array.from({ length: Math.max(0, n) }, item);
  }
}

export class KafkaProtocolError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Decodes a DescribeQuorum v0 response body (after the size prefix). */
export function decodeDescribeQuorum(buf: Buffer, correlationId: number): QuorumState {
  const r = new Reader(buf);
  const cid = r.int32();
  if (cid !== correlationId) throw new Error(`unexpected correlation id ${cid}`);
  r.tags();
  const top = r.int16();
  if (top !== 0) throw new KafkaProtocolError(top, `DescribeQuorum failed with error code ${top}`);
  const replica = (): QuorumReplica => {
    const id = r.int32();
    const logEndOffset = r.int64();
    r.tags();
    return { id, logEndOffset };
  };
  let state: QuorumState | undefined;
  r.array(() => {
    const name = r.compactString();
    r.array(() => {
      const index = r.int32();
      const err = r.int16();
      const s: QuorumState = {
        errorCode: err,
        leaderId: r.int32(),
        leaderEpoch: r.int32(),
        highWatermark: r.int64(),
        voters: r.array(replica),
        observers: r.array(replica),
      };
      r.tags();
      if (name === METADATA_TOPIC && index === 0) {
        if (err !== 0 && err !== NOT_LEADER) throw new KafkaProtocolError(err, `DescribeQuorum: partition error code ${err}`);
        state = s;
      }
    });
    r.tags();
  });
  if (!state) throw new Error('DescribeQuorum answer has no __cluster_metadata-0');
  return state;
}

/**
 * Asks a KRaft controller who leads the metadata quorum (only the leader answers; the others say NOT_LEADER).
 * kafkajs has no DescribeQuorum, and the admin tool costs a JVM start per call.
 */
export function describeQuorum(host: string, port: number, timeoutMs = 5000): Promise<QuorumState> {
  return request(host, port, encodeDescribeQuorum, decodeDescribeQuorum, timeoutMs);
}

/** One broker's own view of the cluster: the brokers registered (unfenced) in its metadata cache. */
export interface BrokerView {
  clusterId: string;
  controllerId: number;
  brokers: { id: number; host: string; port: number }[];
}

/** DescribeCluster v0 (flexible): include_cluster_authorized_operations=false. */
export function encodeDescribeCluster(correlationId: number, clientId = 'pyro'): Buffer {
  return frame(API_DESCRIBE_CLUSTER, 0, correlationId, clientId, Buffer.concat([Buffer.from([0]), uvarint(0)]));
}

export function decodeDescribeCluster(buf: Buffer, correlationId: number): BrokerView {
  const r = new Reader(buf);
  const cid = r.int32();
  if (cid !== correlationId) throw new Error(`unexpected correlation id ${cid}`);
  r.tags();
  r.int32(); // throttle
  const err = r.int16();
  const message = r.compactNullableString();
  if (err !== 0) throw new KafkaProtocolError(err, `DescribeCluster failed with error code ${err}${message ? `: ${message}` : ''}`);
  const clusterId = r.compactString();
  const controllerId = r.int32();
  const brokers = r.array(() => {
    const b = { id: r.int32(), host: r.compactString(), port: r.int32() };
    r.compactNullableString(); // rack
    r.tags();
    return b;
  });
  return { clusterId, controllerId, brokers };
}

/**
 * Asks one broker, and only that one, which brokers it sees registered. kafkajs routes admin requests to any
 * broker it knows, so a probe of one broker through it fails whenever another is down.
 */
export function describeClusterAt(host: string, port: number, timeoutMs = 5000): Promise<BrokerView> {
  return request(host, port, encodeDescribeCluster, decodeDescribeCluster, timeoutMs);
}

/** What one node supports and what the cluster has finalised, by feature name (metadata.version, kraft.version...). */
export interface FeatureView {
  supported: Record<string, { min: number; max: number }>;
  finalized: Record<string, number>;
}

/** ApiVersions v3 (flexible): the client's name and version, which the broker only logs. */
export function encodeApiVersions(correlationId: number, clientId = 'pyro'): Buffer {
  const name = Buffer.from('pyro');
  const version = Buffer.from('1');
  return frame(API_VERSIONS, 3, correlationId, clientId, Buffer.concat([uvarint(name.length + 1), name, uvarint(version.length + 1), version, uvarint(0)]));
}

/** Decodes ApiVersions v3: its response header has no tag buffer (the one exception); features are tagged fields. */
export function decodeApiVersions(buf: Buffer, correlationId: number): FeatureView {
  const r = new Reader(buf);
  const cid = r.int32();
  if (cid !== correlationId) throw new Error(`unexpected correlation id ${cid}`);
  const err = r.int16();
  if (err !== 0) throw new KafkaProtocolError(err, `ApiVersions failed with error code ${err}`);
  r.array(() => {
    r.int16();
    r.int16();
    r.int16();
    r.tags();
  });
  r.int32(); // throttle
  const view: FeatureView = { supported: {}, finalized: {} };
  const tagged = r.uvarint();
  for (let i = 0; i < tagged; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const end = r.pos + size;
    if (tag === 0)
      r.array(() => {
        const name = r.compactString();
        view.supported[name] = { min: r.int16(), max: r.int16() };
        r.tags();
      });
    else if (tag === 2)
      r.array(() => {
        const name = r.compactString();
        view.finalized[name] = r.int16(); // max level; the min level that follows is always the same
        r.int16();
        r.tags();
      });
    r.pos = end;
  }
  return view;
}

/** One node's supported feature ranges and the cluster's finalised levels, without a JVM (kafkajs has no features). */
export function featuresAt(host: string, port: number, timeoutMs = 5000): Promise<FeatureView> {
  return request(host, port, encodeApiVersions, decodeApiVersions, timeoutMs);
}

function request<T>(host: string, port: number, encode: (cid: number) => Buffer, decode: (b: Buffer, cid: number) => T, timeoutMs: number): Promise<T> {
  const correlationId = Math.floor(Math.random() * 0x7fffffff);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const fail = (e: Error) => {
      sock.destroy();
      reject(e);
    };
    sock.setTimeout(timeoutMs, () => fail(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    sock.once('error', fail);
    sock.once('connect', () => sock.write(encode(correlationId)));
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4) return;
      const size = buf.readInt32BE(0);
      if (buf.length < 4 + size) return;
      sock.destroy();
      try {
        resolve(decode(buf.subarray(4, 4 + size), correlationId));
      } catch (e) {
        reject(e as Error);
      }
    });
    sock.once('end', () => fail(new Error(`${host}:${port} closed the connection without answering`)));
  });
}
