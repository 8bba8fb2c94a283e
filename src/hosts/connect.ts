import type { HostSpec } from '../inventory/types.js';
import type { HostError } from '../util/errors.js';
import type { Host } from './host.js';
import { KnownHostsStore } from './known-hosts.js';
import { LocalHost } from './local-host.js';
import { SshHost } from './ssh-host.js';

export interface HostContext {
  /** pyro's known-hosts file for the cluster. */
  knownHostsFile: string;
  /** Accept and record host keys not seen before (a changed key is always refused). */
  trustNewHosts: boolean;
  /** OpenSSH client config (default ~/.ssh/config). */
  sshConfigFile?: string;
  /** The user's known_hosts, read only (default ~/.ssh/known_hosts). */
  userKnownHostsFile?: string;
  /** Per-hop limit for connect + handshake + auth (default 20 s). */
  connectTimeoutMs?: number;
  /** Called when a host stops answering in the middle of the run (see SshHostOptions.onLost). */
  onLost?: (err: HostError) => void;
  /** A store to share between hosts; created from the fields above when absent. */
  knownHosts?: KnownHostsStore;
}

/** The known-hosts store a context describes (share it between the hosts of one run). */
export function knownHostsFor(ctx: HostContext): KnownHostsStore {
  return ctx.knownHosts ?? new KnownHostsStore({ file: ctx.knownHostsFile, userFile: ctx.userKnownHostsFile, trustNew: ctx.trustNewHosts });
}

/** A Host for an inventory entry: LocalHost for `connection: local`, SshHost otherwise. Does not connect yet. */
export function createHost(spec: HostSpec, ctx: HostContext): Host {
  if (spec.connection === 'local') return new LocalHost({ name: spec.name, address: spec.address });
  return new SshHost(spec, {
    knownHosts: knownHostsFor(ctx),
    sshConfigFile: ctx.sshConfigFile,
    connectTimeoutMs: ctx.connectTimeoutMs,
    onLost: ctx.onLost,
  });
}

/** Hosts for several inventory entries, sharing one known-hosts store. */
export function createHosts(specs: readonly HostSpec[], ctx: HostContext): Host[] {
  const shared = { ...ctx, knownHosts: knownHostsFor(ctx) };
  return specs.map((s) => createHost(s, shared));
}
