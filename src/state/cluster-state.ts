import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { PyroError } from '../util/errors.js';
import { PkiStore } from './pki-store.js';
import { clusterStateDir, ensureStateDir } from './paths.js';

/** Identities a cluster keeps for life: generated once, never regenerated while the state dir exists. */
export interface ClusterIds {
  /** HDFS cluster id given to `namenode -format` (CID-…). */
  hdfsClusterId: string;
  /** KRaft cluster id given to `kafka-storage format` (22 chars of base64url). */
  kafkaClusterId: string;
  /** Kafka node ids by `<host>/<role>`: assigned once so adding a host never renumbers the others. */
  kafkaNodeIds: Record<string, number>;
  /**
   * The KRaft quorum as formatted: `dynamic` (KIP-853: controllers added and removed at runtime) for clusters pyro
   * creates; `static` (controller.quorum.voters) for those an earlier pyro formatted. Decided once.
   */
  kafkaQuorum?: KafkaQuorum;
}

/** A dynamic quorum's bootstrap: the controllers it was formatted with, and each controller's metadata dir id. */
export interface KafkaQuorum {
  mode: 'static' | 'dynamic';
  /** `<host>/kafka-controller` keys of the controllers formatted with --initial-controllers, and their endpoints. */
  initial: { key: string; endpoint: string }[];
  /** The directory.id of each controller's metadata dir (a Kafka Uuid), by key; remove-controller names it. */
  directoryIds: Record<string, string>;
}

/** A Kafka Uuid (16 random bytes, base64url) not starting with '-', as Kafka's own Uuid.randomUuid() ensures. */
function kafkaUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** What `pyro up` last applied to each instance: hash of its rendered files and launch script. */
export type AppliedHashes = Record<string, string>;

interface StateFile {
  version: 1;
  ids: ClusterIds;
  applied: AppliedHashes;
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PyroError('STATE_UNREADABLE', `cannot read ${file}: ${(e as Error).message}`, {
      hint: 'the file is pyro state; restore it from a backup, or move it away only if the cluster has no data yet',
    });
  }
}

/** Writes a file of the state whole or not at all (its dir created private). */
async function writeState(file: string, data: string): Promise<void> {
  await ensureStateDir(path.dirname(file));
  await writeFileAtomic(file, data, { mode: 0o600 });
}

/**
 * A cluster's local state: ids, applied hashes and secrets (in a 0600 file of its own), under
 * `<state>/clusters/<name>/`. Ids are created on first use and saved at once.
 */
export class ClusterState {
  readonly dir: string;
  private data?: StateFile;
  /** Secrets made up in a read-only run: stable within the run, never saved. */
  private readonly unsaved = new Map<string, string>();
  private pkiStore?: PkiStore;

  /** `readOnly`: ids are generated in memory when missing but nothing is written (dry runs). */
  constructor(
    readonly cluster: string,
    dir = clusterStateDir(cluster),
    private readonly opts: { readOnly?: boolean } = {},
  ) {
    this.dir = dir;
  }

  get stateFile(): string {
    return path.join(this.dir, 'state.json');
  }

  get secretsFile(): string {
    return path.join(this.dir, 'secrets.json');
  }

  /** The cluster's CA and the certificates it issued (`<dir>/pki/`), under the same read-only rule as the rest. */
  pki(): PkiStore {
    this.pkiStore ??= new PkiStore(path.join(this.dir, 'pki'), `pyro ${this.cluster} CA`, { readOnly: this.opts.readOnly });
    return this.pkiStore;
  }

  private async load(): Promise<StateFile> {
    if (this.data) return this.data;
    const onDisk = await readJson<StateFile>(this.stateFile);
    this.data = onDisk ?? {
      version: 1,
      ids: { hdfsClusterId: `CID-${randomUUID()}`, kafkaClusterId: kafkaUuid(), kafkaNodeIds: {} },
      applied: {},
    };
    if (!onDisk) await this.save();
    return this.data;
  }

  private async save(): Promise<void> {
    if (this.opts.readOnly) return;
    await writeState(this.stateFile, `${JSON.stringify(this.data, null, 2)}\n`);
  }

  async ids(): Promise<ClusterIds> {
    return (await this.load()).ids;
  }

  /** Stable Kafka node ids for the given `<host>/<role>` keys, allocating new ones above the highest in use. */
  async kafkaNodeIds(keys: string[]): Promise<Record<string, number>> {
    const s = await this.load();
    const ids = s.ids.kafkaNodeIds;
    let changed = false;
    for (const k of keys) {
      if (ids[k] !== undefined) continue;
      ids[k] = Math.max(0, ...Object.values(ids)) + 1;
      changed = true;
    }
    if (changed) await this.save();
    return Object.fromEntries(keys.map((k) => [k, ids[k]!]));
  }

  /**
   * The cluster's KRaft quorum, decided on first use: static when Kafka node ids exist already (a cluster formatted
   * before pyro formatted dynamic quorums), else dynamic with `controllers` as its initial voters. Directory ids
   * are made for controllers that have none.
   */
  async kafkaQuorum(controllers: { key: string; endpoint: string }[]): Promise<KafkaQuorum> {
    const s = await this.load();
    let changed = false;
    if (!s.ids.kafkaQuorum) {
      const formatted = Object.keys(s.ids.kafkaNodeIds).length > 0;
      s.ids.kafkaQuorum = formatted ? { mode: 'static', initial: [], directoryIds: {} } : { mode: 'dynamic', initial: controllers, directoryIds: {} };
      changed = true;
    }
    const q = s.ids.kafkaQuorum;
    if (q.mode === 'dynamic')
      for (const c of controllers) {
        if (q.directoryIds[c.key]) continue;
        q.directoryIds[c.key] = kafkaUuid();
        changed = true;
      }
    if (changed) await this.save();
    return q;
  }

  async applied(): Promise<AppliedHashes> {
    return { ...(await this.load()).applied };
  }

  async recordApplied(key: string, hash: string | undefined): Promise<void> {
    await this.recordAppliedAll({ [key]: hash });
  }

  /** Several at once, in one write of the state file (undefined removes a key). */
  async recordAppliedAll(hashes: Record<string, string | undefined>): Promise<void> {
    const s = await this.load();
    for (const [key, hash] of Object.entries(hashes)) {
      if (hash === undefined) delete s.applied[key];
      else s.applied[key] = hash;
    }
    await this.save();
  }

  get appliedInventoryFile(): string {
    return path.join(this.dir, 'applied-inventory.json');
  }

  /**
   * The inventory last applied in full (its file and document): how pyro still reaches, and stops, an instance the
   * current inventory no longer names.
   */
  async appliedInventory(): Promise<{ file: string; raw: unknown } | undefined> {
    return readJson<{ file: string; raw: unknown }>(this.appliedInventoryFile);
  }

  async saveAppliedInventory(file: string, raw: unknown): Promise<void> {
    if (this.opts.readOnly) return;
    await writeState(this.appliedInventoryFile, `${JSON.stringify({ file, raw }, null, 2)}\n`);
  }

  /** A named secret, generated (32 random bytes, base64url) and saved 0600 on first use. Never print it. */
  async secret(name: string): Promise<string> {
    const all = (await readJson<Record<string, string>>(this.secretsFile)) ?? {};
    if (all[name]) return all[name];
    if (this.opts.readOnly) {
      if (!this.unsaved.has(name)) this.unsaved.set(name, randomBytes(32).toString('base64url'));
      return this.unsaved.get(name)!;
    }
    all[name] = randomBytes(32).toString('base64url');
    await writeState(this.secretsFile, `${JSON.stringify(all, null, 2)}\n`);
    return all[name];
  }
}
