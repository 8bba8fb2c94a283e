import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { risonList, SupersetClient, SupersetError } from '../../../src/clients/superset.js';

// A loopback imitation of the Superset endpoints the client uses, strict about what Flask-WTF checks on writes.

const TOKEN = 'jwt-token-1';
const CSRF = 'csrf-token-1';
const SESSION = 'session-abc';
const ZIP = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 1, 2, 3, 0xff, 0xfe, 10, 13, 0x2d, 0x2d]);

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function fakeSuperset(seen: Seen[], base: () => string): http.Server {
  return http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      const json = (status: number, doc: unknown, headers: Record<string, string | string[]> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(doc));
      };
      const bearer = req.headers.authorization === `Bearer ${TOKEN}`;
      const writeOk =
        bearer &&
        req.headers['x-csrftoken'] === CSRF &&
        (req.headers.cookie ?? '').split('; ').includes(`session=${SESSION}`) &&
        (req.headers.referer ?? '').startsWith(base());
      const route = `${req.method} ${req.url}`;
      if (route === 'GET /health') return void res.end('OK');
      if (route === 'POST /api/v1/security/login') {
        const b = JSON.parse(body.toString()) as { username: string; password: string; provider: string };
        if (b.username === 'admin' && b.password === 'right' && b.provider === 'db') return json(200, { access_token: TOKEN });
        return json(401, { message: 'Not authorized' });
      }
      if (route === 'GET /api/v1/security/csrf_token/') {
        if (!bearer) return json(401, { msg: 'Missing Authorization Header' });
        return json(200, { result: CSRF }, { 'set-cookie': [`session=${SESSION}; HttpOnly; Path=/`, 'lang=en; Path=/'] });
      }
      // Flask-WTF checks every write before the API looks at the JWT.
      if (req.method !== 'GET' && !writeOk) return json(400, { errors: [{ message: 'The CSRF token is missing.' }] });
      if (!bearer) return json(401, { msg: 'Missing Authorization Header' });
      if (route === 'POST /api/v1/dataset/') return json(201, { id: 7, result: JSON.parse(body.toString()) });
      if (route === 'PUT /api/v1/dataset/7') return json(200, { id: 7, result: JSON.parse(body.toString()) });
      if (route === 'DELETE /api/v1/dataset/7') return json(200, { message: 'OK' });
      if (route === 'POST /api/v1/database/') return json(422, { message: { table: ['Dataset could not be created.', 'It exists.'] } });
      if (route === 'GET /api/v1/chart/404') return json(404, { message: 'Not found' });
      if (route === 'GET /api/v1/chart/500') {
        res.writeHead(500, { 'content-type': 'text/html' });
        return void res.end('<html><body><h1>Internal Server Error</h1>\n<p>The server broke.</p></body></html>');
      }
      if (route === 'GET /api/v1/dataset/export/') {
        res.writeHead(200, { 'content-type': 'application/zip' });
        return void res.end(Buffer.from(ZIP));
      }
      if (route === 'POST /api/v1/dashboard/import/') {
        const form = await new Response(new Uint8Array(body), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
        const file = form.get('formData');
        if (!(file instanceof Blob)) return json(400, { message: 'no formData file' });
        const bytes = new Uint8Array(await file.arrayBuffer());
        if (Buffer.compare(Buffer.from(bytes), Buffer.from(ZIP)) !== 0) return json(400, { message: 'the zip arrived changed' });
        if (form.get('overwrite') !== 'true') return json(422, { message: { overwrite: ['must be true'] } });
        return json(200, { message: 'OK', name: (file as File).name, type: file.type });
      }
      return json(404, { message: `no route ${route}` });
    })().catch((e: Error) => {
      res.writeHead(599);
      res.end(e.message);
    });
  });
}

function expectError(code: string, status: number, message: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof SupersetError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    assert.match(e.message, message);
    return true;
  };
}

describe('SupersetClient against a loopback Superset', () => {
  let server: http.Server;
  let base = '';
  const seen: Seen[] = [];

  before(async () => {
    server = fakeSuperset(seen, () => base);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (seen.length = 0));

  async function loggedIn(): Promise<SupersetClient> {
    const c = new SupersetClient(base, 5000);
    await c.login('admin', 'right');
    return c;
  }

  it('healthy: true when /health answers OK', async () => {
    assert.deepEqual(await new SupersetClient(base).healthy(), { ok: true, detail: '/health: OK' });
  });

  it('login: posts the credentials without a bearer, then fetches the CSRF token with the JWT', async () => {
    await loggedIn();
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url}`),
      ['POST /api/v1/security/login', 'GET /api/v1/security/csrf_token/'],
    );
    assert.equal(seen[0]!.headers.authorization, undefined);
    assert.equal(seen[0]!.headers['content-type'], 'application/json');
    assert.equal(seen[1]!.headers.authorization, `Bearer ${TOKEN}`);
  });

  it('a write after login carries X-CSRFToken, the session cookie, a Referer and the bearer', async () => {
    const c = await loggedIn();
    seen.length = 0;
    assert.deepEqual(await c.post('/api/v1/dataset/', { table_name: 'page_views' }), { id: 7, result: { table_name: 'page_views' } });
    assert.deepEqual(await c.put('/api/v1/dataset/7', { description: 'd' }), { id: 7, result: { description: 'd' } });
    assert.deepEqual(await c.delete('/api/v1/dataset/7'), { message: 'OK' });
    for (const s of seen) {
      assert.equal(s.headers['x-csrftoken'], CSRF);
      assert.equal(s.headers.cookie, `session=${SESSION}; lang=en`, 'every Set-Cookie, attributes stripped');
      assert.equal(s.headers.referer, `${base}/`);
      assert.equal(s.headers.authorization, `Bearer ${TOKEN}`);
    }
  });

  it('a write without the CSRF session: SUPERSET_API_FAILED with the message from {errors: [{message}]}', async () => {
    await assert.rejects(
      new SupersetClient(base, 5000).post('/api/v1/dataset/', {}),
      expectError('SUPERSET_API_FAILED', 400, /^Superset POST \/api\/v1\/dataset\/: HTTP 400: The CSRF token is missing\.$/),
    );
    assert.equal(seen.at(-1)!.headers['x-csrftoken'], undefined);
    assert.equal(seen.at(-1)!.headers.cookie, undefined);
  });

  it('login with a wrong password: SUPERSET_LOGIN_FAILED, hinting at `pyro credentials superset --reset`', async () => {
    await assert.rejects(new SupersetClient(base).login('admin', 'wrong'), (e: unknown) => {
      expectError('SUPERSET_LOGIN_FAILED', 401, /rejected the admin login: Not authorized/)(e);
      assert.match((e as SupersetError).hint ?? '', /pyro credentials superset --reset/);
      return true;
    });
  });

  it('422 with {message: {field: [..]}}: SUPERSET_API_FAILED listing the field and its messages', async () => {
    const c = await loggedIn();
    await assert.rejects(
      c.post('/api/v1/database/', { database_name: 'serving' }),
      expectError('SUPERSET_API_FAILED', 422, /^Superset POST \/api\/v1\/database\/: HTTP 422: table: Dataset could not be created\., It exists\.$/),
    );
  });

  it('a string message and an HTML error page are reported readably; a 5xx points at the logs', async () => {
    const c = await loggedIn();
    await assert.rejects(c.get('/api/v1/chart/404'), expectError('SUPERSET_API_FAILED', 404, /HTTP 404: Not found$/));
    await assert.rejects(c.get('/api/v1/chart/500'), (e: unknown) => {
      expectError('SUPERSET_API_FAILED', 500, /HTTP 500: Internal Server Error The server broke\.$/)(e);
      assert.match((e as SupersetError).hint ?? '', /pyro logs superset/);
      return true;
    });
  });

  it('upload: multipart with the zip unchanged in the formData field and the form fields beside it', async () => {
    const c = await loggedIn();
    const r = await c.upload<{ message: string; name: string; type: string }>('/api/v1/dashboard/import/', ZIP, { overwrite: 'true' });
    assert.deepEqual(r, { message: 'OK', name: 'bundle.zip', type: 'application/zip' });
    const s = seen.at(-1)!;
    assert.match(s.headers['content-type'] ?? '', /^multipart\/form-data; boundary=/);
    assert.equal(s.headers['x-csrftoken'], CSRF);
    await assert.rejects(
      c.upload('/api/v1/dashboard/import/', ZIP, { overwrite: 'false' }),
      expectError('SUPERSET_API_FAILED', 422, /overwrite: must be true/),
    );
  });

  it('bytes: the raw body of a GET (an export zip)', async () => {
    const c = await loggedIn();
    assert.deepEqual(await c.bytes('/api/v1/dataset/export/'), ZIP);
    await assert.rejects(c.bytes('/api/v1/chart/404'), expectError('SUPERSET_API_FAILED', 404, /Not found/));
  });

  // Pending: the SupersetError constructor maps every 401 to SUPERSET_LOGIN_FAILED, so an expired JWT on an API call
  // (not the login) gets the login code with the generic "see Superset's message above" hint. Unskip once fixed.
  it('a 401 on an API call other than the login is SUPERSET_API_FAILED', async () => {
    const c = new SupersetClient(base, 5000);
    await assert.rejects(c.get('/api/v1/dataset/'), expectError('SUPERSET_API_FAILED', 401, /HTTP 401/));
  });
});

describe('SupersetClient without a Superset', () => {
  let deadBase = '';
  before(async () => {
    // A port that was just free: bound, then closed.
    const s = http.createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    deadBase = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  it('an unreachable port: SUPERSET_UNREACHABLE (status 0) naming the call, and healthy() false', async () => {
    const c = new SupersetClient(deadBase, 2000);
    await assert.rejects(c.login('admin', 'x'), (e: unknown) => {
      expectError('SUPERSET_UNREACHABLE', 0, /did not answer POST \/api\/v1\/security\/login: ECONNREFUSED/)(e);
      assert.match((e as SupersetError).hint ?? '', /pyro status/);
      return true;
    });
    const h = await c.healthy();
    assert.equal(h.ok, false);
    assert.match(h.detail, /^\/health: ECONNREFUSED/);
  });
});

describe('risonList', () => {
  it('columns as a Rison list plus extra keys, URI-encoded', () => {
    const q = risonList(['id', 'table_name'], { page: 0, page_size: 100 });
    assert.equal(decodeURIComponent(q), '(columns:!(id,table_name),page:0,page_size:100)');
    assert.equal(decodeURIComponent(risonList(['uuid'])), '(columns:!(uuid))');
    assert.doesNotMatch(risonList(['a b']), / /);
  });
});
