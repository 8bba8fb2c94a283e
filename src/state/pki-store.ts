import { access, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createCa, issueCertificate, reissueReason, toPkcs12, type CertificateSpec, type KeyPair } from '../pki/ca.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { ensureStateDir } from './paths.js';

/** Where a kept certificate's files are: `<name>.key`, `<name>.crt` and, once asked for, `<name>.p12`. */
export interface CertificateFiles {
  key: string;
  cert: string;
  p12: string;
}

/** A certificate as kept: its key and PEM, its files, and why it was issued in this run (if it was). */
export interface KeptCertificate extends KeyPair {
  files: CertificateFiles;
  issued?: string;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * The cluster's CA and the certificates it issued, kept as PEM files (0600, in a 0700 dir) under the cluster
 * state: made once, issued again only when a certificate no longer fits its spec (names, CA, expiry). In a
 * read-only run (a dry run) what is missing is made in memory, stable within the run, and never written.
 */
export class PkiStore {
  private readonly made = new Map<string, KeyPair>();

  constructor(
    readonly dir: string,
    private readonly caName: string,
    private readonly opts: { readOnly?: boolean } = {},
  ) {}

  files(name: string): CertificateFiles {
    const base = path.join(this.dir, name);
    return { key: `${base}.key`, cert: `${base}.crt`, p12: `${base}.p12` };
  }

  private async read(name: string): Promise<KeyPair | undefined> {
    const kept = this.made.get(name);
    if (kept) return kept;
    const f = this.files(name);
    const [keyPem, certPem] = await Promise.all([readOptional(f.key), readOptional(f.cert)]);
    return keyPem && certPem ? { keyPem, certPem } : undefined;
  }

  private async keep(name: string, pair: KeyPair): Promise<void> {
    this.made.set(name, pair);
    if (this.opts.readOnly) return;
    await ensureStateDir(this.dir);
    const f = this.files(name);
    // The key first: a crash between the two leaves a pair that no longer matches, which is issued again.
    await writeFileAtomic(f.key, pair.keyPem, { mode: 0o600 });
    await writeFileAtomic(f.cert, pair.certPem, { mode: 0o600 });
    await rm(f.p12, { force: true });
  }

  /** The CA (`ca.key`, `ca.crt`), created on first use. Replacing it would re-issue every certificate. */
  async ca(): Promise<KeyPair> {
    const kept = await this.read('ca');
    if (kept) return kept;
    const ca = createCa(this.caName);
    await this.keep('ca', ca);
    return ca;
  }

  /** The certificate kept under `name`, issued (again) when missing or when it no longer fits `spec`. */
  async certificate(name: string, spec: CertificateSpec): Promise<KeptCertificate> {
    if (name === 'ca') throw new Error('"ca" names the CA itself');
    const ca = await this.ca();
    const kept = await this.read(name);
    const why = kept ? reissueReason(kept, ca, spec) : 'none was issued yet';
    if (kept && !why) return { ...kept, files: this.files(name) };
    const pair = issueCertificate(ca, spec);
    await this.keep(name, pair);
    return { ...pair, files: this.files(name), issued: why };
  }

  /**
   * `<name>.p12` (key, certificate and CA, for a browser), written when missing; a certificate issued again drops
   * the old one. Returns its path; in a read-only run nothing is written and the path may not exist.
   */
  async pkcs12(name: string, password: string): Promise<string> {
    const f = this.files(name);
    const pair = await this.read(name);
    if (!pair) throw new Error(`no certificate ${name} to bundle`);
    const exists = await access(f.p12).then(
      () => true,
      () => false,
    );
    if (this.opts.readOnly || exists) return f.p12;
    const ca = await this.ca();
    await writeFileAtomic(f.p12, toPkcs12(pair, ca.certPem, password, name), { mode: 0o600 });
    return f.p12;
  }
}
