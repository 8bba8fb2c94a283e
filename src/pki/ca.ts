import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

// A small certificate authority: a CA, server and client certificates signed by it, and a PKCS#12 bundle for
// browsers. Pure (no files): the cluster state keeps what it makes (state/pki-store.ts). node-forge writes the
// certificates and the PKCS#12 file, which Node's crypto cannot; Node makes the keys (forge's pure-JS RSA is slow)
// and checks certificates.

/** A private key (PKCS#8 PEM) and its certificate (PEM). */
export interface KeyPair {
  keyPem: string;
  certPem: string;
}

/** What a certificate says: its subject's common name, its alternative names and what it may be used for. */
export interface CertificateSpec {
  commonName: string;
  /** Host names and IP addresses (told apart by their form), as subject alternative names. */
  altNames?: string[];
  /** server: TLS server authentication; client: TLS client authentication (a user's login). */
  usage: ('server' | 'client')[];
  /** Days it is valid for (default LEAF_DAYS). */
  days?: number;
}

export const CA_DAYS = 3650;
export const LEAF_DAYS = 365;
/** A certificate with fewer days than this left is issued again. */
export const RENEW_DAYS = 30;

const DAY_MS = 86_400_000;

function newKey(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { pem, forgeKey, forgePublic: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

/** A random positive serial number (RFC 5280: at most 20 octets; the top bit clear keeps it positive). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  // An hour back: a host whose clock runs a little behind still accepts a certificate issued just now.
  const from = new Date(Date.now() - 3_600_000);
  cert.validity.notBefore = from;
  cert.validity.notAfter = new Date(from.getTime() + days * DAY_MS);
}

/** A self-signed CA (RSA 2048, SHA-256) that may sign end-entity certificates only (path length 0). */
export function createCa(commonName: string, days = CA_DAYS): KeyPair {
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePublic;
  cert.serialNumber = serial();
  validity(cert, days);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.forgeKey, forge.md.sha256.create());
  return { keyPem: key.pem, certPem: forge.pki.certificateToPem(cert) };
}

/** A certificate for `spec` with a new key, signed by `ca`. */
export function issueCertificate(ca: KeyPair, spec: CertificateSpec): KeyPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePublic;
  cert.serialNumber = serial();
  validity(cert, spec.days ?? LEAF_DAYS);
  cert.setSubject([{ name: 'commonName', value: spec.commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = (spec.altNames ?? []).map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: spec.usage.includes('server'), clientAuth: spec.usage.includes('client') },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { keyPem: key.pem, certPem: forge.pki.certificateToPem(cert) };
}

/**
 * A PKCS#12 file of a key, its certificate and the CA, for a browser or a keychain. The key is encrypted with
 * PBE-SHA1-3DES: every browser, macOS's keychain and OpenSSL 3 without its legacy provider import it, which is
 * not true of the AES variants (older keychains) nor of RC2 (OpenSSL 3).
 */
export function toPkcs12(pair: KeyPair, caCertPem: string, password: string, friendlyName: string): Buffer {
  const key = forge.pki.privateKeyFromPem(pair.keyPem) as forge.pki.rsa.PrivateKey;
  const certs = [forge.pki.certificateFromPem(pair.certPem), forge.pki.certificateFromPem(caCertPem)];
  const asn = forge.pkcs12.toPkcs12Asn1(key, certs, password, { algorithm: '3des', friendlyName });
  return Buffer.from(forge.asn1.toDer(asn).getBytes(), 'binary');
}

/** The alternative names of a certificate as written in a spec (`DNS:a, IP Address:10.0.0.1` -> [a, 10.0.0.1]). */
export function altNamesOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter(Boolean)
    .map((n) => n.replace(/^(DNS|IP Address):/, ''));
}

/**
 * Why a kept certificate must be issued again for `spec` (another name, another CA, too close to its end), or
 * undefined when it still serves. A key that does not belong to the certificate counts as another certificate.
 */
export function reissueReason(pair: KeyPair, ca: KeyPair, spec: CertificateSpec, now = Date.now()): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.certPem);
  } catch {
    return 'the kept certificate does not parse';
  }
  const caCert = new X509Certificate(ca.certPem);
  if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) return 'it was signed by another CA';
  if (!keyMatches(cert, pair.keyPem)) return 'its key does not match it';
  if (cert.subject !== `CN=${spec.commonName}`) return `its subject is ${cert.subject}, not CN=${spec.commonName}`;
  const want = [...(spec.altNames ?? [])].sort().join(',');
  const have = altNamesOf(cert).sort().join(',');
  if (want !== have) return `its names are ${have || 'none'}, not ${want || 'none'}`;
  if (Date.parse(cert.validTo) - now < RENEW_DAYS * DAY_MS) return `it expires on ${cert.validTo}`;
  return undefined;
}

function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}
