import type { NifiApi } from './api.js';
import { ADMIN_DN } from './endpoints.js';

// The initial admin may manage users and policies but, on a node that starts without a flow, holds no policy on
// the root process group. pyro grants the admin what deploying flows needs, once per node: idempotent.

/**
 * The policies pyro needs on a node, on the root group (every flow under it inherits them): read and write it,
 * operate it (start, stop), and read and write its data (to empty a queue before a flow is replaced).
 */
export function neededPolicies(rootId: string): { action: 'read' | 'write'; resource: string }[] {
  return [
    { action: 'read', resource: `/process-groups/${rootId}` },
    { action: 'write', resource: `/process-groups/${rootId}` },
    { action: 'write', resource: `/operation/process-groups/${rootId}` },
    { action: 'read', resource: `/data/process-groups/${rootId}` },
    { action: 'write', resource: `/data/process-groups/${rootId}` },
  ];
}

/** Grants the admin each needed policy it lacks; returns the ones granted (`write /process-groups/<id>`). */
export async function grantAdmin(api: NifiApi, rootId: string): Promise<string[]> {
  const me = await api.userId(ADMIN_DN);
  if (!me) throw new Error(`NiFi on ${api.inst.host.name} has no user ${ADMIN_DN}: its users.xml was made with another initial admin`);
  const granted: string[] = [];
  for (const { action, resource } of neededPolicies(rootId)) {
    const p = await api.policy(action, resource);
    if (p?.component.users.some((u) => u.id === me)) continue;
    if (p) await api.updatePolicy(p, [...p.component.users.map((u) => ({ id: u.id })), { id: me }]);
    else await api.createPolicy(action, resource, me);
    granted.push(`${action} ${resource}`);
  }
  return granted;
}
