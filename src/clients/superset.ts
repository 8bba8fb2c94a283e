import { PyroError } from '../util/errors.js';
import { errorText } from './http.js';

/** A failed Superset call: the HTTP status (0 when nothing answered) and Superset's own message. */
export class SupersetError extends PyroError {
  constructor(
    readonly status: number,
    message: string,
    hint: string,
    code = status === 0 ? 'SUPERSET_UNREACHABLE' : 'SUPERSET_API_FAILED',
  ) {
    super(code, message, { hint });
  }
}

/** Superset's error bodies: `{message: string | {field: [..]}}` or `{errors: [{message}]}`. */
function messageOf(body: unknown): string {
  const b = body as { message?: unknown; errors?: { message?: string }[] } | undefined;
  if (b?.errors?.length) return b.errors.map((e) => e.message ?? '').join('; ');
  if (typeof b?.message === 'string') return b.message;
  if (b?.message && typeof b.message === 'object') {
    return Object.entries(b.message as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : JSON.stringify(v)}`)
      .join('; ');
  }
  return typeof body === 'string'
    ? body
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 200)
    : (JSON.stringify(body)?.slice(0, 200) ?? '');
}

/**
 * Superset's REST API as an admin: a JWT from /security/login, then a CSRF token whose session cookie must ride
 * along on every write (Flask-WTF checks the token against the session, and the Referer on plain http).
 */
export class SupersetClient {
  private token = '';
  private csrf = '';
  private cookie = '';

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 60_000,
  ) {}

  /** GET /health: true when it answers "OK". */
  async healthy(): Promise<{ ok: boolean; detail: string }> {
    try {
      const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
      const text = (await res.text()).trim();
      return { ok: res.ok && text === 'OK', detail: res.ok ? `/health: ${text}` : `/health: HTTP ${res.status}` };
    } catch (e) {
      return { ok: false, detail: `/health: ${errorText(e)}` };
    }
  }

  /** Logs in (database auth) and fetches the CSRF token with its session cookie. */
  async login(username: string, password: string): Promise<void> {
    const body = await this.call<{ access_token: string }>(
      'POST',
      '/api/v1/security/login',
      { username, password, provider: 'db', refresh: false },
      { auth: false },
    );
    this.token = body.access_token;
    const res = await this.raw('GET', '/api/v1/security/csrf_token/');
    if (!res.ok) await this.parse('GET', '/api/v1/security/csrf_token/', res);
    this.csrf = ((await res.json()) as { result: string }).result;
    this.cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  /** A multipart upload (the import endpoints): `fields` as form fields, `file` as formData. */
  async upload<T>(path: string, file: Uint8Array, fields: Record<string, string>): Promise<T> {
    const form = new FormData();
    form.set('formData', new Blob([Buffer.from(file)], { type: 'application/zip' }), 'bundle.zip');
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    return this.parse<T>('POST', path, await this.raw('POST', path, form));
  }

  /** The raw bytes of a GET (exports are zip files). */
  async bytes(path: string): Promise<Uint8Array> {
    const res = await this.raw('GET', path);
    if (!res.ok) await this.parse('GET', path, res);
    return new Uint8Array(await res.arrayBuffer());
  }

  private async call<T>(method: string, path: string, body?: unknown, opts: { auth?: boolean } = {}): Promise<T> {
    return this.parse<T>(method, path, await this.raw(method, path, body === undefined ? undefined : JSON.stringify(body), opts));
  }

  private async raw(method: string, path: string, body?: string | FormData, opts: { auth?: boolean } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', referer: `${this.baseUrl}/` };
    if (typeof body === 'string') headers['content-type'] = 'application/json';
    if (opts.auth !== false && this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.csrf && method !== 'GET') headers['x-csrftoken'] = this.csrf;
    if (this.cookie) headers.cookie = this.cookie;
    try {
      return await fetch(`${this.baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new SupersetError(
        0,
        `Superset at ${this.baseUrl} did not answer ${method} ${path}: ${errorText(e)}`,
        'check that Superset runs (`pyro status`, `pyro logs superset`) and that this machine reaches its port',
      );
    }
  }

  private async parse<T>(method: string, path: string, res: Response): Promise<T> {
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* an HTML error page */
    }
    if (res.ok) return body as T;
    const msg = messageOf(body);
    if (res.status === 401 && path === '/api/v1/security/login') {
      throw new SupersetError(
        401,
        `Superset at ${this.baseUrl} rejected the admin login: ${msg || 'not authorized'}`,
        "the admin password in the cluster state no longer matches Superset's: `pyro credentials superset --reset` sets Superset's to the one in the state",
        'SUPERSET_LOGIN_FAILED',
      );
    }
    throw new SupersetError(
      res.status,
      `Superset ${method} ${path}: HTTP ${res.status}: ${msg}`,
      res.status >= 500 ? 'Superset failed inside: `pyro logs superset` shows its traceback' : "see Superset's message above",
    );
  }
}

/** `(columns:!(a,b),page_size:100)`: Superset's list endpoints take their query as Rison. */
export function risonList(columns: string[], extra: Record<string, string | number> = {}): string {
  const parts = [`columns:!(${columns.join(',')})`, ...Object.entries(extra).map(([k, v]) => `${k}:${v}`)];
  return encodeURIComponent(`(${parts.join(',')})`);
}
