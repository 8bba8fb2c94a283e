import { randomUUID } from 'node:crypto';
import { multipart, MutualTlsClient, type ClientTls } from '../../clients/https.js';
import type { ServiceInstance } from '../../inventory/types.js';
import { nifiApiUrl } from './endpoints.js';

// NiFi's REST API as pyro uses it, logged in as the admin by client certificate. Only the fields pyro reads are
// typed. Every change names a revision (optimistic locking) and a client id.

export interface Revision {
  version: number;
  clientId?: string;
}

export interface Bundle {
  group: string;
  artifact: string;
  version: string;
}

export interface ProcessGroupEntity {
  id: string;
  revision: Revision;
  component: { id: string; name: string; comments?: string; parameterContext?: { id: string } };
  runningCount?: number;
  stoppedCount?: number;
  invalidCount?: number;
  disabledCount?: number;
}

export interface ProcessorStatusSnapshot {
  id: string;
  name: string;
  type: string;
  runStatus: string;
  groupId: string;
}

export interface ConnectionStatusSnapshot {
  id: string;
  name: string;
  sourceName: string;
  destinationName: string;
  flowFilesQueued: number;
  bytesQueued: number;
  percentUseCount?: number;
  percentUseBytes?: number;
}

/** A process group's status; counts are over the last five minutes. */
export interface GroupStatusSnapshot {
  id: string;
  name: string;
  flowFilesIn: number;
  flowFilesOut: number;
  flowFilesReceived: number;
  flowFilesSent: number;
  flowFilesQueued: number;
  bytesQueued: number;
  /** Tasks running now in the group and its children. */
  activeThreadCount?: number;
  processorStatusSnapshots?: { processorStatusSnapshot: ProcessorStatusSnapshot }[];
  connectionStatusSnapshots?: { connectionStatusSnapshot: ConnectionStatusSnapshot }[];
  processGroupStatusSnapshots?: { processGroupStatusSnapshot: GroupStatusSnapshot }[];
}

export interface Bulletin {
  id: number;
  groupId?: string;
  sourceId?: string;
  sourceName?: string;
  level: string;
  message: string;
  timestamp?: string;
}

export interface BulletinBoard {
  generated: string;
  bulletins: Bulletin[];
}

export interface PolicyEntity {
  id: string;
  revision: Revision;
  component: { resource: string; action: string; users: { id: string }[]; userGroups: { id: string }[] };
}

export interface ParameterContextEntity {
  id: string;
  revision: Revision;
  component: { name: string; boundProcessGroups?: { id: string }[] };
}

/** One client per node and run: its TLS agent keeps connections open until closed. */
export class NifiApi {
  readonly base: string;
  readonly clientId = `pyro-${randomUUID()}`;
  private readonly http: MutualTlsClient;

  constructor(
    readonly inst: ServiceInstance,
    tls: ClientTls,
    private readonly timeoutMs = 15_000,
  ) {
    this.base = nifiApiUrl(inst);
    this.http = new MutualTlsClient(tls);
  }

  close(): void {
    this.http.close();
  }

  get<T>(path: string, timeoutMs = this.timeoutMs): Promise<T> {
    return this.http.request<T>(`${this.base}${path}`, { timeoutMs });
  }

  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, json?: unknown): Promise<T> {
    return this.http.request<T>(`${this.base}${path}`, { method, json, timeoutMs: this.timeoutMs });
  }

  rev(r: Revision): Revision {
    return { version: r.version, clientId: this.clientId };
  }

  async about(timeoutMs?: number): Promise<{ version: string; title: string }> {
    return (await this.get<{ about: { version: string; title: string } }>('/flow/about', timeoutMs)).about;
  }

  async currentUser(): Promise<string> {
    return (await this.get<{ identity: string }>('/flow/current-user')).identity;
  }

  async rootId(): Promise<string> {
    return (await this.get<{ processGroupFlow: { id: string } }>('/flow/process-groups/root')).processGroupFlow.id;
  }

  async processorTypes(): Promise<{ type: string; bundle: Bundle }[]> {
    return (await this.get<{ processorTypes: { type: string; bundle: Bundle }[] }>('/flow/processor-types')).processorTypes;
  }

  async controllerServiceTypes(): Promise<{ type: string; bundle: Bundle }[]> {
    return (await this.get<{ controllerServiceTypes: { type: string; bundle: Bundle }[] }>('/flow/controller-service-types')).controllerServiceTypes;
  }

  /** The process groups directly under a group. */
  async childGroups(parentId: string): Promise<ProcessGroupEntity[]> {
    return (await this.get<{ processGroups: ProcessGroupEntity[] }>(`/process-groups/${parentId}/process-groups`)).processGroups;
  }

  async group(id: string): Promise<ProcessGroupEntity> {
    return this.get<ProcessGroupEntity>(`/process-groups/${id}`);
  }

  /** Uploads a flow definition into a new process group under `parentId`. */
  async uploadFlow(parentId: string, groupName: string, definition: string, position: { x: number; y: number }): Promise<ProcessGroupEntity> {
    const body = await multipart({
      groupName,
      positionX: String(position.x),
      positionY: String(position.y),
      clientId: this.clientId,
      file: { name: `${groupName}.json`, type: 'application/json', data: definition },
    });
    return this.http.request<ProcessGroupEntity>(`${this.base}/process-groups/${parentId}/process-groups/upload`, { body, timeoutMs: 60_000 });
  }

  /** Starts or stops every processor (and port) of a group, its children included. */
  async schedule(groupId: string, state: 'RUNNING' | 'STOPPED'): Promise<void> {
    await this.send('PUT', `/flow/process-groups/${groupId}`, { id: groupId, state });
  }

  /** Schedules the given components of a group (`{ id: revision }`), e.g. only its sources. */
  async scheduleComponents(groupId: string, state: 'RUNNING' | 'STOPPED', components: Record<string, Revision>): Promise<void> {
    await this.send('PUT', `/flow/process-groups/${groupId}`, {
      id: groupId,
      state,
      components: Object.fromEntries(Object.entries(components).map(([k, r]) => [k, this.rev(r)])),
    });
  }

  /** Enables or disables every controller service of a group, its children included. */
  async serviceState(groupId: string, state: 'ENABLED' | 'DISABLED'): Promise<void> {
    await this.send('PUT', `/flow/process-groups/${groupId}/controller-services`, { id: groupId, state });
  }

  async status(groupId: string): Promise<GroupStatusSnapshot> {
    return (await this.get<{ processGroupStatus: { aggregateSnapshot: GroupStatusSnapshot } }>(`/flow/process-groups/${groupId}/status?recursive=true`))
      .processGroupStatus.aggregateSnapshot;
  }

  /** The group's contents (processors with their revisions, connections) one level deep. */
  async groupFlow(groupId: string): Promise<{
    processors: { id: string; revision: Revision; component: { name: string; state: string; type: string } }[];
    connections: { id: string; component: { source: { id: string }; destination: { id: string } } }[];
    processGroups: ProcessGroupEntity[];
  }> {
    return (await this.get<{ processGroupFlow: { flow: never } }>(`/flow/process-groups/${groupId}`)).processGroupFlow.flow;
  }

  /**
   * Bulletins of the components in a group and its children (NiFi keeps five minutes of them), with the time the
   * board was made: both `HH:mm:ss zone` on NiFi's clock, which is how a bulletin's age is told.
   */
  async bulletins(groupId: string): Promise<BulletinBoard> {
    const r = await this.get<{ bulletinBoard: { generated: string; bulletins: { bulletin?: Bulletin }[] } }>(
      `/flow/bulletin-board?groupId=${encodeURIComponent(groupId)}&limit=100`,
    );
    return { generated: r.bulletinBoard.generated, bulletins: r.bulletinBoard.bulletins.flatMap((b) => (b.bulletin ? [b.bulletin] : [])) };
  }

  async deleteGroup(g: ProcessGroupEntity): Promise<void> {
    await this.send('DELETE', `/process-groups/${g.id}?version=${g.revision.version}&clientId=${encodeURIComponent(this.clientId)}`);
  }

  async parameterContexts(): Promise<ParameterContextEntity[]> {
    return (await this.get<{ parameterContexts: ParameterContextEntity[] }>('/flow/parameter-contexts')).parameterContexts;
  }

  async deleteParameterContext(c: ParameterContextEntity): Promise<void> {
    await this.send('DELETE', `/parameter-contexts/${c.id}?version=${c.revision.version}&clientId=${encodeURIComponent(this.clientId)}`);
  }

  /** Drops every FlowFile queued in a group (and its children); resolves when NiFi has. Returns how many. */
  async emptyQueues(groupId: string): Promise<number> {
    type Drop = { dropRequest: { id: string; finished: boolean; droppedCount?: number; failureReason?: string } };
    let r = await this.send<Drop>('POST', `/process-groups/${groupId}/empty-all-connections-requests`);
    for (let i = 0; !r.dropRequest.finished && i < 60; i++) {
      await new Promise((ok) => setTimeout(ok, 500));
      r = await this.get<Drop>(`/process-groups/${groupId}/empty-all-connections-requests/${r.dropRequest.id}`);
    }
    await this.send('DELETE', `/process-groups/${groupId}/empty-all-connections-requests/${r.dropRequest.id}`);
    if (r.dropRequest.failureReason) throw new Error(`emptying the queues of ${groupId}: ${r.dropRequest.failureReason}`);
    return r.dropRequest.droppedCount ?? 0;
  }

  /** The user entity id of an identity. */
  async userId(identity: string): Promise<string | undefined> {
    const users = (await this.get<{ users: { id: string; component: { identity: string } }[] }>('/tenants/users')).users;
    return users.find((u) => u.component.identity === identity)?.id;
  }

  /** The policy for exactly this action and resource, or undefined (NiFi answers with an inherited one otherwise). */
  async policy(action: 'read' | 'write', resource: string): Promise<PolicyEntity | undefined> {
    try {
      const p = await this.get<PolicyEntity>(`/policies/${action}${resource}`);
      return p.component.resource === resource ? p : undefined;
    } catch (e) {
      if ((e as { status?: number }).status === 404) return undefined;
      throw e;
    }
  }

  async createPolicy(action: 'read' | 'write', resource: string, userId: string): Promise<void> {
    await this.send('POST', '/policies', { revision: this.rev({ version: 0 }), component: { action, resource, users: [{ id: userId }] } });
  }

  async updatePolicy(p: PolicyEntity, users: { id: string }[]): Promise<void> {
    await this.send('PUT', `/policies/${p.id}`, { revision: this.rev(p.revision), component: { id: p.id, users, userGroups: p.component.userGroups } });
  }
}
