import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import { errorText } from './http.js';

export interface HdfsEntry {
  name: string;
  dir: boolean;
  length: number;
  /** Epoch ms. */
  modified: number;
}

/**
 * A small WebHDFS client (the NameNode's REST API) for pyro's own files: job markers, progress, archives.
 * Writes go through node:http, not fetch: undici rejects the DataNode's (Netty's) answer to a PUT.
 */
export class WebHdfs {
  constructor(
    readonly base: string,
    readonly user = 'root',
  ) {}

  private url(path: string, op: string, extra: Record<string, string> = {}): string {
    const q = new URLSearchParams({ op, 'user.name': this.user, ...extra });
    return `${this.base}/webhdfs/v1${path}?${q}`;
  }

  private request(
    method: string,
    url: string,
    body?: Buffer | { file: string; size: number },
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const length = body === undefined ? undefined : Buffer.isBuffer(body) ? body.length : body.size;
      const req = http.request(
        url,
        { method, headers: length !== undefined ? { 'content-type': 'application/octet-stream', 'content-length': length } : {} },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${url}: timed out`)));
      req.on('error', reject);
      if (body === undefined || Buffer.isBuffer(body)) req.end(body);
      else createReadStream(body.file).on('error', reject).pipe(req);
    });
  }

  private fail(what: string, r: { status: number; body: Buffer }): Error {
    let msg = r.body.toString().slice(0, 300);
    try {
      msg = (JSON.parse(msg) as { RemoteException?: { message?: string } }).RemoteException?.message ?? msg;
    } catch {
      // not JSON
    }
    return new Error(`WebHDFS ${what}: HTTP ${r.status}: ${msg}`);
  }

  async mkdirs(path: string): Promise<void> {
    const r = await this.request('PUT', this.url(path, 'MKDIRS'));
    if (r.status !== 200) throw this.fail(`mkdirs ${path}`, r);
  }

  /** Creates or replaces a file (the NameNode redirects the bytes to a DataNode). */
  async put(path: string, data: Buffer): Promise<void> {
    const first = await this.request('PUT', this.url(path, 'CREATE', { overwrite: 'true' }));
    if (first.status !== 307 || !first.headers.location) throw this.fail(`create ${path}`, first);
    const r = await this.request('PUT', first.headers.location, data);
    if (r.status !== 201) throw this.fail(`write ${path}`, r);
  }

  /** Creates or replaces a file from a local file, streamed (for archives too big to hold in memory twice). */
  async putFile(path: string, file: string, replication?: number): Promise<void> {
    const first = await this.request('PUT', this.url(path, 'CREATE', { overwrite: 'true', ...(replication ? { replication: String(replication) } : {}) }));
    if (first.status !== 307 || !first.headers.location) throw this.fail(`create ${path}`, first);
    const r = await this.request('PUT', first.headers.location, { file, size: (await stat(file)).size });
    if (r.status !== 201) throw this.fail(`write ${path}`, r);
  }

  /** A file's length, or undefined when it does not exist. */
  async size(path: string): Promise<number | undefined> {
    const res = await fetch(this.url(path, 'GETFILESTATUS'), { signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`WebHDFS status ${path}: HTTP ${res.status}`);
    return ((await res.json()) as { FileStatus: { length: number } }).FileStatus.length;
  }

  /** A file's bytes, or undefined when it does not exist. */
  async get(path: string): Promise<Buffer | undefined> {
    try {
      const res = await fetch(this.url(path, 'OPEN'), { signal: AbortSignal.timeout(30_000) });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
      return Buffer.from(await res.arrayBuffer());
    } catch (e) {
      throw new Error(`WebHDFS open ${path}: ${errorText(e)}`, { cause: e });
    }
  }

  /** GET an operation's answer: undefined for 404, an error naming the path for any other failure. */
  private async read(what: string, path: string, op: string, extra: Record<string, string> = {}): Promise<Response | undefined> {
    const res = await fetch(this.url(path, op, extra), { signal: AbortSignal.timeout(30_000) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`WebHDFS ${what} ${path}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return res;
  }

  /** The entries of a directory, or undefined when it does not exist. */
  async list(path: string): Promise<HdfsEntry[] | undefined> {
    const res = await this.read('list', path, 'LISTSTATUS');
    if (!res) return undefined;
    const body = (await res.json()) as { FileStatuses: { FileStatus: { pathSuffix: string; type: string; length: number; modificationTime: number }[] } };
    return body.FileStatuses.FileStatus.map((f) => ({ name: f.pathSuffix, dir: f.type === 'DIRECTORY', length: f.length, modified: f.modificationTime }));
  }

  /** Bytes and files below a path (one round trip, counted by the NameNode), or undefined when it does not exist. */
  async summary(path: string): Promise<{ bytes: number; files: number; dirs: number } | undefined> {
    const res = await this.read('summary', path, 'GETCONTENTSUMMARY');
    if (!res) return undefined;
    const c = ((await res.json()) as { ContentSummary: { length: number; fileCount: number; directoryCount: number } }).ContentSummary;
    return { bytes: c.length, files: c.fileCount, dirs: c.directoryCount };
  }

  /** length bytes of a file from offset (a Parquet footer, without reading the file); a missing file is an error. */
  async readRange(path: string, offset: number, length: number): Promise<Buffer> {
    const res = await this.read('open', path, 'OPEN', { offset: String(offset), length: String(length) });
    if (!res) throw new Error(`WebHDFS open ${path}: HTTP 404: no such file`);
    return Buffer.from(await res.arrayBuffer());
  }

  async exists(path: string): Promise<boolean> {
    const res = await fetch(this.url(path, 'GETFILESTATUS'), { signal: AbortSignal.timeout(10_000) });
    return res.status === 200;
  }

  async rename(from: string, to: string): Promise<void> {
    const r = await this.request('PUT', this.url(from, 'RENAME', { destination: to }));
    if (r.status !== 200 || !r.body.toString().includes('true')) throw this.fail(`rename ${from} to ${to}`, r);
  }

  async delete(path: string, recursive = false): Promise<void> {
    const r = await this.request('DELETE', this.url(path, 'DELETE', { recursive: String(recursive) }));
    if (r.status !== 200) throw this.fail(`delete ${path}`, r);
  }
}
