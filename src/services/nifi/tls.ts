import type { CertificateSpec } from '../../pki/ca.js';
import type { Inventory, ServiceInstance } from '../../inventory/types.js';
import type { ClusterState } from '../../state/cluster-state.js';
import { ADMIN_DN, nifiInstances } from './endpoints.js';

// NiFi runs HTTPS with client certificates only (no login provider is obtainable for this assembly): the cluster
// CA issues each node a server certificate and the admin a client certificate. They reach the renderers and the
// REST client as secrets (PEM text) by the names below.

/** Key of `nifi.sensitive.props.key`, which encrypts sensitive properties in flow.json.gz: never changes. */
export const SENSITIVE_KEY_SECRET = 'nifi-sensitive-props-key';
/** Password of the admin's PKCS#12 file (for a browser). */
export const P12_PASSWORD_SECRET = 'nifi-admin-p12-password';

/** The names the PEM texts go by among the secrets. */
export const TLS_SECRET = {
  caCert: 'nifi-tls:ca.crt',
  nodeKey: (host: string) => `nifi-tls:${host}.key`,
  nodeCert: (host: string) => `nifi-tls:${host}.crt`,
  adminKey: 'nifi-tls:admin.key',
  adminCert: 'nifi-tls:admin.crt',
} as const;

/** Names the certificates are kept under in the cluster's PKI store. */
export const ADMIN_CERT = 'nifi-admin';
export const nodeCertName = (host: string) => `nifi-${host}`;

/** A node's server certificate: its host name and address as names; client use too, for NiFi's own TLS clients. */
export function nodeCertSpec(inst: ServiceInstance): CertificateSpec {
  return { commonName: inst.host.name, altNames: [...new Set([inst.host.name, inst.host.address])], usage: ['server', 'client'] };
}

export const ADMIN_CERT_SPEC: CertificateSpec = { commonName: ADMIN_DN.replace(/^CN=/, ''), usage: ['client'] };

/**
 * The CA certificate, each NiFi node's key and certificate and the admin's, from the cluster state (made or issued
 * again there when missing or stale), by their TLS_SECRET names.
 */
export async function loadNifiTls(inv: Inventory, state: ClusterState): Promise<Record<string, string>> {
  const nodes = nifiInstances(inv);
  if (!nodes.length) return {};
  const pki = state.pki();
  const out: Record<string, string> = { [TLS_SECRET.caCert]: (await pki.ca()).certPem };
  for (const inst of nodes) {
    const c = await pki.certificate(nodeCertName(inst.host.name), nodeCertSpec(inst));
    out[TLS_SECRET.nodeKey(inst.host.name)] = c.keyPem;
    out[TLS_SECRET.nodeCert(inst.host.name)] = c.certPem;
  }
  const admin = await pki.certificate(ADMIN_CERT, ADMIN_CERT_SPEC);
  out[TLS_SECRET.adminKey] = admin.keyPem;
  out[TLS_SECRET.adminCert] = admin.certPem;
  return out;
}

/** What a REST client needs to log in to NiFi as the admin, from the secrets. */
export interface AdminTls {
  ca: string;
  key: string;
  cert: string;
}

export function adminTls(secrets: Record<string, string>): AdminTls {
  const [ca, key, cert] = [secrets[TLS_SECRET.caCert], secrets[TLS_SECRET.adminKey], secrets[TLS_SECRET.adminCert]];
  if (!ca || !key || !cert) throw new Error("the NiFi admin's certificate is missing from the cluster state's secrets");
  return { ca, key, cert };
}
