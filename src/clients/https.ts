import https from 'node:https';

/** A TLS client identity: the CA that signed the server, and the client's own key and certificate (PEM). */
export interface ClientTls {
  ca: string;
  key: string;
  cert: string;
}

/** An answer other than 2xx: the status and the start of the body (servers explain their refusals there). */
export class HttpStatusError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url}: HTTP ${status}${body ? `: ${body.trim().slice(0, 300)}` : ''}`);
  }
}

export interface TlsRequest {
  method?: string;
  /** Sent as JSON. */
  json?: unknown;
  /** A raw body with its content type (a multipart form). */
  body?: { data: Buffer; contentType: string };
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * HTTPS with a client certificate (mutual TLS), the server checked against `tls.ca` and its name against the URL's
 * host; Node's fetch cannot present one without a dispatcher from the undici package. One keep-alive agent per
 * client identity. Resolves with the parsed JSON (undefined for an empty body); rejects on a status other than 2xx.
 */
export class MutualTlsClient {
  private readonly agent: https.Agent;

  constructor(tls: ClientTls) {
    this.agent = new https.Agent({ ca: tls.ca, key: tls.key, cert: tls.cert, keepAlive: true, maxSockets: 4 });
  }

  request<T = unknown>(url: string, r: TlsRequest = {}): Promise<T> {
    const method = r.method ?? (r.json !== undefined || r.body ? 'POST' : 'GET');
    const payload = r.body?.data ?? (r.json !== undefined ? Buffer.from(JSON.stringify(r.json)) : undefined);
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (payload) {
      headers['content-type'] = r.body?.contentType ?? 'application/json';
      headers['content-length'] = payload.length;
    }
    return new Promise<T>((resolve, reject) => {
      const req = https.request(url, { method, headers, agent: this.agent, timeout: r.timeoutMs ?? 15_000, signal: r.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) return reject(new HttpStatusError(method, url, status, text));
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch {
            reject(new Error(`${method} ${url}: the answer is not JSON: ${text.slice(0, 200)}`));
          }
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** A multipart/form-data body of text fields and files, as a browser would send it. */
export async function multipart(
  fields: Record<string, string | { name: string; type: string; data: string | Buffer }>,
): Promise<{ data: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') form.append(k, v);
    else form.append(k, new Blob([typeof v.data === 'string' ? v.data : new Uint8Array(v.data)], { type: v.type }), v.name);
  }
  // A Response serialises a FormData with its boundary, which this client then sends as is.
  const res = new Response(form);
  return { data: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type')! };
}
