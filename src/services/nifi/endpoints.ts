import type { Inventory, ServiceInstance } from '../../inventory/types.js';

// How other services and verbs name NiFi and reach its REST API.

export const NIFI = 'nifi';

/** Identity of the admin's client certificate: NiFi names a user by the subject DN of the certificate it logs in with. */
export const ADMIN_DN = 'CN=pyro-admin';

export function nifiInstances(inv: Inventory): ServiceInstance[] {
  return inv.instances.filter((i) => i.def.role === NIFI);
}

/** `https://address:port` of a node (its certificate names the address and the host name). */
export function nifiBase(inst: ServiceInstance): string {
  return `https://${inst.host.address}:${inst.ports.https}`;
}

/** The web UI of a node. */
export function nifiUiUrl(inst: ServiceInstance): string {
  return `${nifiBase(inst)}/nifi/`;
}

/** The REST API's root of a node. */
export function nifiApiUrl(inst: ServiceInstance): string {
  return `${nifiBase(inst)}/nifi-api`;
}
