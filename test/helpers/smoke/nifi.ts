import { randomBytes } from 'node:crypto';
import { shellQuote as q, type Host } from '../../../src/hosts/host.js';
import { NIFI_JVM_FLAGS, NIFI_MAIN, NIFI_SYSPROPS } from '../../../src/artifacts/recipes/nifi.js';
import { assertPortsFree, daemonAlive, javaBin, run, startDaemon, stopDaemon, tailFiles, type SmokeOptions } from './kafka.js';

export const NIFI_HTTPS_PORT = 8443;
/** NiFi's management server (plain HTTP /health), kept on loopback. */
export const NIFI_MANAGEMENT_ADDRESS = '127.0.0.1:52020';
/** Identity of the admin client certificate; NiFi names users by their certificate's subject DN. */
export const NIFI_ADMIN_DN = 'CN=pyro-admin';

export interface NifiSmokeOptions extends SmokeOptions {
  /** A Java 21+ home (NiFi 2 needs 21); wins over javaHome. */
  java21Home?: string;
  /** Seconds to wait for the REST API (default 300: NiFi unpacks its NARs on the first start). */
  timeoutSec?: number;
  /**
   * More checks on the same NiFi (one start is the slow part), run after the smoke's own and before the stop;
   * what it returns joins the evidence. A failure stops NiFi and carries its log tail.
   */
  during?: (nifi: RunningNifi) => Promise<string>;
}

/** A NiFi started by smokeNifi, as `during` sees it. */
export interface RunningNifi {
  host: Host;
  /** The smoke's work dir on the host (scratch files of `during` may go there). */
  workDir: string;
  /** Calls the REST API from the host as CN=pyro-admin; the parsed answer, or an error naming the HTTP status. */
  api<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/**
 * Host-side: a throwaway CA, a server certificate for ADDRESS (IP SAN, plus localhost) and an admin client
 * certificate, all PEM (NiFi 2 reads PEM keys and certificates directly). Needs openssl on the host.
 */
function tlsScript(dir: string, address: string): string {
  const ext = (name: string, lines: string[]) => `printf '%s\\n' ${lines.map(q).join(' ')} > ${q(`${dir}/${name}.ext`)}`;
  const sign = (name: string, cn: string) =>
    `openssl req -newkey rsa:2048 -nodes -keyout ${q(`${dir}/${name}.key`)} -out ${q(`${dir}/${name}.csr`)} -subj ${q(`/CN=${cn}`)} 2>/dev/null
openssl x509 -req -in ${q(`${dir}/${name}.csr`)} -CA ${q(`${dir}/ca.crt`)} -CAkey ${q(`${dir}/ca.key`)} -CAcreateserial -days 7 -out ${q(`${dir}/${name}.crt`)} -extfile ${q(`${dir}/${name}.ext`)} 2>/dev/null`;
  return `set -e
command -v openssl >/dev/null || { echo "openssl is not installed on this host"; exit 5; }
mkdir -p ${q(dir)} && cd ${q(dir)}
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 7 -subj /CN=pyro-smoke-ca 2>/dev/null
${ext('server', [`subjectAltName=IP:${address},DNS:localhost`, 'extendedKeyUsage=serverAuth,clientAuth', 'keyUsage=digitalSignature,keyEncipherment'])}
${sign('server', 'localhost')}
${ext('admin', ['extendedKeyUsage=clientAuth', 'keyUsage=digitalSignature,keyEncipherment'])}
${sign('admin', NIFI_ADMIN_DN.slice(3))}
chmod 600 *.key`;
}

/** Host-side: exits 4 naming the first host:port already bound (a leftover NiFi would make the smoke lie). */
const PORTS_FREE_PY = `import socket, sys
for hp in sys.argv[1:]:
    h, p = hp.rsplit(":", 1)
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try: s.bind((h, int(p)))
    except OSError as e: print("port %s is in use (%s)" % (hp, e)); sys.exit(4)
    finally: s.close()
`;

/**
 * Host-side check over HTTPS with the admin's client certificate (the server verified against the CA): waits
 * until /flow/about answers while the pid lives, then checks that a request without a certificate is refused,
 * reads current-user, loads the web UI page and the processor/controller service types, grants the admin the root group's read/write
 * policies and runs a tiny flow (GenerateFlowFile -> funnel) until FlowFiles queue. Prints one JSON line.
 */
const PROBE_PY = `import json, ssl, sys, time, urllib.error, urllib.request
base, tls, pid, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
ctx = ssl.create_default_context(cafile=tls + "/ca.crt")
ctx.load_cert_chain(tls + "/admin.crt", tls + "/admin.key")
anon = ssl.create_default_context(cafile=tls + "/ca.crt")
def call(path, body=None, method=None, context=ctx):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method or ("POST" if data else "GET"), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=context, timeout=20) as r:
        return json.loads(r.read().decode() or "null")
def out(**kw):
    print(json.dumps(kw)); sys.exit(0 if kw.get("ok") else 3)
t0, last = time.time(), "no answer yet"
while True:
    try:
        alive = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        alive = False
    if not alive:
        out(ok=False, why="the NiFi process exited", last=last)
    try:
        about = call("/flow/about")["about"]; break
    except Exception as e:
        last = repr(e)
    if time.time() - t0 > timeout:
        out(ok=False, why="no answer from %s/flow/about after %d s" % (base, timeout), last=last)
    time.sleep(3)
ready = time.time() - t0
try:
    call("/flow/about", context=anon); anonymous = "ANSWERED (not refused)"
except urllib.error.HTTPError as e:
    anonymous = "refused: HTTP %d" % e.code
except (urllib.error.URLError, ssl.SSLError) as e:
    r = getattr(e, "reason", e)
    anonymous = "refused in the TLS handshake (%s)" % getattr(r, "reason", r)
user = call("/flow/current-user")["identity"]
with urllib.request.urlopen(base.rsplit("/nifi-api", 1)[0] + "/nifi/", context=ctx, timeout=20) as r:
    ui = "HTTP %d, %d bytes of %s" % (r.status, len(r.read()), r.headers.get_content_type())
procs = call("/flow/processor-types")["processorTypes"]
services = call("/flow/controller-service-types")["controllerServiceTypes"]
gen = [p for p in procs if p["type"] == "org.apache.nifi.processors.standard.GenerateFlowFile"]
if not gen:
    out(ok=False, why="GenerateFlowFile is not among the %d processor types" % len(procs))
bundle = gen[0]["bundle"]
root = call("/flow/process-groups/root")["processGroupFlow"]["id"]
rev = {"version": 0}
# On a first start without a flow the initial admin may manage policies but has none on the root group: grant them.
me = [u for u in call("/tenants/users")["users"] if u["component"]["identity"] == user][0]["id"]
for action in ("read", "write"):
    call("/policies", {"revision": rev, "component": {"action": action, "resource": "/process-groups/" + root, "users": [{"id": me}]}})
p = call("/process-groups/%s/processors" % root, {"revision": rev, "component": {"type": gen[0]["type"], "bundle": bundle, "name": "pyro-smoke", "position": {"x": 0, "y": 0}, "config": {"schedulingPeriod": "1 sec"}}})
f = call("/process-groups/%s/funnels" % root, {"revision": rev, "component": {"position": {"x": 0, "y": 200}}})
call("/process-groups/%s/connections" % root, {"revision": rev, "component": {"source": {"id": p["id"], "groupId": root, "type": "PROCESSOR"}, "destination": {"id": f["id"], "groupId": root, "type": "FUNNEL"}, "selectedRelationships": ["success"]}})
p = call("/processors/%s" % p["id"])
call("/processors/%s/run-status" % p["id"], {"revision": p["revision"], "state": "RUNNING"}, method="PUT")
queued, t1 = 0, time.time()
while queued == 0 and time.time() - t1 < 60:
    time.sleep(1)
    queued = call("/flow/process-groups/%s/status" % root)["processGroupStatus"]["aggregateSnapshot"]["flowFilesQueued"]
p = call("/processors/%s" % p["id"])
call("/processors/%s/run-status" % p["id"], {"revision": p["revision"], "state": "STOPPED"}, method="PUT")
out(ok=queued > 0, why=None if queued else "GenerateFlowFile ran but nothing queued within 60 s", ready=round(ready, 1), version=about["version"], anonymous=anonymous, user=user, ui=ui,
    processors=len(procs), services=len(services),
    jsonReader=any(s["type"] == "org.apache.nifi.json.JsonTreeReader" for s in services),
    genBundle="%s:%s" % (bundle["artifact"], bundle["version"]), queued=queued)
`;

/** Host-side: one REST call with the admin's client certificate; prints {"status", "body"} (HTTP errors included). */
const API_PY = `import json, ssl, sys, urllib.error, urllib.request
base, tls, method, path = sys.argv[1:5]
body = sys.argv[5].encode() if len(sys.argv) > 5 else None
ctx = ssl.create_default_context(cafile=tls + "/ca.crt")
ctx.load_cert_chain(tls + "/admin.crt", tls + "/admin.key")
req = urllib.request.Request(base + path, data=body, method=method, headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
        print(json.dumps({"status": r.status, "body": r.read().decode()}))
except urllib.error.HTTPError as e:
    print(json.dumps({"status": e.code, "body": e.read().decode()}))
`;

/** Replaces or appends `key=value` lines of a Java properties file. */
function withProperties(text: string, set: Record<string, string>): string {
  const left = new Map(Object.entries(set));
  const lines = text.split('\n').map((l) => {
    const k = /^([^#!=\s][^=]*?)\s*=/.exec(l)?.[1];
    if (k === undefined || !left.has(k)) return l;
    const v = left.get(k)!;
    left.delete(k);
    return `${k}=${v}`;
  });
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return `${[...lines, ...[...left].map(([k, v]) => `${k}=${v}`)].join('\n')}\n`;
}

/** authorizers.xml of the tree with the admin DN as initial user and initial admin. */
function withAdmin(xml: string, dn: string): string {
  return xml
    .replace(/<property name="Initial User Identity 1">[^<]*<\/property>/, `<property name="Initial User Identity 1">${dn}</property>`)
    .replace(/<property name="Initial Admin Identity">[^<]*<\/property>/, `<property name="Initial Admin Identity">${dn}</property>`);
}

/**
 * Starts NiFi from the unpacked tree `root` on `host` as pyro would: a copy of conf/ in opts.workDir (HTTPS on
 * ADDRESS:8443 with PEM server certificate, client-certificate login for CN=pyro-admin through the file-based
 * managed authorizer, repositories and NAR working dir under workDir, a random sensitive-properties key), then
 * `java -cp 'root/lib/*:workDir/conf' org.apache.nifi.NiFi` in workDir. Waits for the REST API, checks it from
 * the host with python3 (see PROBE_PY), stops NiFi and removes workDir. Returns the evidence.
 */
export async function smokeNifi(host: Host, root: string, opts: NifiSmokeOptions): Promise<string> {
  const w = opts.workDir;
  const conf = `${w}/conf`;
  const logs = `${w}/logs`;
  const tls = `${w}/tls`;
  const pidFile = `${w}/nifi.pid`;
  const outFile = `${logs}/nifi.out`;
  const java = javaBin({ javaHome: opts.java21Home ?? opts.javaHome });
  const timeoutSec = opts.timeoutSec ?? 300;
  const logTail = () => tailFiles(host, [`${logs}/nifi-app.log`, `${logs}/nifi-user.log`, outFile], 30);
  const stop = () => stopDaemon(host, pidFile, NIFI_MAIN, 40);

  await assertPortsFree(opts.address, [NIFI_HTTPS_PORT], 'NiFi');
  await run(host, `mkdir -p ${q(conf)} ${q(logs)} && python3 -c ${q(PORTS_FREE_PY)} ${q(`${opts.address}:${NIFI_HTTPS_PORT}`)} ${q(NIFI_MANAGEMENT_ADDRESS)}`);
  await run(host, tlsScript(tls, opts.address), 60_000).catch((e: Error) => {
    throw new Error(`NiFi on ${host.name}: making the test certificates failed: ${e.message}`);
  });
  const facts = await run(
    host,
    `${q(java)} -version 2>&1 | head -n 1; for f in logback.xml state-management.xml login-identity-providers.xml; do cp ${q(`${root}/conf`)}/$f ${q(conf)}/; done`,
  );

  const props = withProperties((await host.readFile(`${root}/conf/nifi.properties`)).toString('utf8'), {
    'nifi.nar.library.directory': `${root}/lib`,
    'nifi.web.http.host': '',
    'nifi.web.http.port': '',
    'nifi.web.https.host': opts.address,
    'nifi.web.https.port': String(NIFI_HTTPS_PORT),
    'nifi.security.keystoreType': 'PEM',
    'nifi.security.keystore.certificate': `${tls}/server.crt`,
    'nifi.security.keystore.privateKey': `${tls}/server.key`,
    'nifi.security.truststoreType': 'PEM',
    'nifi.security.truststore.certificate': `${tls}/ca.crt`,
    'nifi.security.user.authorizer': 'managed-authorizer',
    'nifi.security.user.login.identity.provider': '',
    'nifi.sensitive.props.key': randomBytes(16).toString('hex'),
    'nifi.web.jetty.threads': '50',
    'nifi.flow.configuration.archive.enabled': 'false',
  });
  await host.writeFile(`${conf}/nifi.properties`, props, { mode: 0o600 });
  await host.writeFile(`${conf}/authorizers.xml`, withAdmin((await host.readFile(`${root}/conf/authorizers.xml`)).toString('utf8'), NIFI_ADMIN_DN));
  await host.writeFile(`${w}/probe.py`, PROBE_PY);
  await host.writeFile(`${w}/api.py`, API_PY);

  const pid = await startDaemon(host, {
    cwd: w,
    outFile,
    pidFile,
    argv: [
      java,
      '-Xms512m',
      '-Xmx1g',
      ...NIFI_JVM_FLAGS,
      `-D${NIFI_SYSPROPS.properties}=${conf}/nifi.properties`,
      `-D${NIFI_SYSPROPS.logDir}=${logs}`,
      `-D${NIFI_SYSPROPS.managementServer}=${NIFI_MANAGEMENT_ADDRESS}`,
      '-cp',
      `${root}/lib/*:${conf}`,
      NIFI_MAIN,
    ],
  });
  let evidence: Record<string, unknown>;
  let more = '';
  const base = `https://${opts.address}:${NIFI_HTTPS_PORT}/nifi-api`;
  const api: RunningNifi['api'] = async <T>(method: string, path: string, body?: unknown) => {
    const argv = ['python3', `${w}/api.py`, base, tls, method, path, ...(body === undefined ? [] : [JSON.stringify(body)])];
    const out = JSON.parse(await run(host, argv.map(q).join(' '), 90_000)) as { status: number; body: string };
    if (out.status >= 300) throw new Error(`NiFi ${method} ${path}: HTTP ${out.status} ${out.body.slice(0, 500)}`);
    return (out.body ? JSON.parse(out.body) : null) as T;
  };
  try {
    const r = await host.exec(`cd ${q(w)} && python3 probe.py ${q(base)} ${q(tls)} ${pid} ${timeoutSec}`, { timeoutMs: (timeoutSec + 150) * 1000 });
    try {
      evidence = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
    } catch {
      throw new Error(`the host-side check printed no result (exit ${r.exitCode}): ${r.stdout}${r.stderr}`);
    }
    if (!evidence.ok) throw new Error(`${String(evidence.why)}${evidence.last ? ` (last error: ${String(evidence.last)})` : ''}`);
    if (!(await daemonAlive(host, pidFile, NIFI_MAIN))) throw new Error('NiFi exited after answering');
    if (opts.during) more = await opts.during({ host, workDir: w, api });
  } catch (e) {
    const tail = await logTail();
    await stop().catch(() => undefined);
    throw new Error(`NiFi on ${host.name}: ${(e as Error).message}\n${tail}`, { cause: e });
  }
  const started = /Started Application in ([\d.]+) seconds/.exec((await host.exec(`grep -h 'Started Application' ${q(`${logs}/nifi-app.log`)}`)).stdout)?.[1];
  await stop();
  await run(host, `rm -rf ${q(w)}`);
  const e = evidence;
  return (
    `NiFi ${String(e.version)} (${facts.split('\n')[0]!.trim()}) answered ${String(e.ready)} s after launch ` +
    `(NiFi's log: started in ${started ?? '?'} s); HTTPS ${opts.address}:${NIFI_HTTPS_PORT}: without a client certificate ${String(e.anonymous)}, ` +
    `with it /flow/about version=${String(e.version)} as ${String(e.user)}, web UI /nifi/ ${String(e.ui)}; ` +
    `${String(e.processors)} processor types, ${String(e.services)} controller service types (JsonTreeReader: ${e.jsonReader ? 'yes' : 'no'}); ` +
    `GenerateFlowFile (${String(e.genBundle)}) -> funnel queued ${String(e.queued)} FlowFile(s)${more ? `; ${more}` : ''}; stopped`
  );
}
