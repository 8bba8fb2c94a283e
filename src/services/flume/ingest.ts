import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import path from 'node:path';
import { shellQuote as q, type Host } from '../../hosts/host.js';
import type { Inventory } from '../../inventory/types.js';
import { MONTHS } from '../../util/clf-time.js';
import { PyroError } from '../../util/errors.js';
import { NotSendable, probeJson, probeLogLine, type IngestPath, type Probe } from '../ingest-path.js';
import { FLUME } from './endpoints.js';
import { flumeSettingsOf, type FlumeSource } from './settings.js';
import { appendCommand, globCovers } from './tailed.js';

/** The file a probe line goes to: the path itself, or the newest file a glob matches on the host. */
async function tailedFile(host: Host, glob: string): Promise<string> {
  if (!/[*?[{]/.test(path.posix.basename(glob))) return glob;
  const dir = path.posix.dirname(glob);
  const r = await host.exec(`ls -1t -- ${q(dir)} 2>/dev/null`);
  const name = r.stdout.split('\n').find((n) => n && globCovers(glob, path.posix.join(dir, n)));
  // Nothing to append to: the check does not make files in a user's log directory.
  if (!name) throw new NotSendable(`no file on ${host.name} matches ${glob} yet`);
  return path.posix.join(dir, name);
}

async function appendLine(host: Host, file: string, line: string, signal: AbortSignal): Promise<void> {
  const r = await host.exec(appendCommand(file), { stdin: `${line}\n`, signal, timeoutMs: 20_000 });
  if (r.exitCode !== 0) throw new PyroError('APPEND_FAILED', `appending to ${file} on ${host.name} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

async function postJson(url: string, body: string, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.any([signal, AbortSignal.timeout(20_000)]),
  });
  if (!res.ok) throw new PyroError('POST_FAILED', `POST ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
}

/** One RFC 3164 message; over TCP, newline-framed. */
function syslogMessage(p: Probe, message: string): string {
  const d = new Date(p.ts);
  const hms = d.toISOString().slice(11, 19);
  return `<14>${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${hms} pyro-verify pyro: ${message}`;
}

function sendSyslog(proto: 'tcp' | 'udp', address: string, port: number, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (proto === 'udp') {
      const s = createSocket('udp4');
      s.send(text, port, address, (e) => {
        s.close();
        if (e) reject(e);
        else resolve();
      });
      return;
    }
    const c = connect({ host: address, port, timeout: 10_000 }, () => c.end(`${text}\n`, () => resolve()));
    c.on('error', reject);
    c.on('timeout', () => c.destroy(new Error(`no answer from ${address}:${port}`)));
  });
}

function pathOf(host: string, address: string, s: FlumeSource): IngestPath[] {
  const label = (what: string) => `flume ${host}/${s.name} (${what})`;
  switch (s.type) {
    case 'taildir':
      return (s.paths ?? []).map((glob) => ({
        label: label(`taildir ${glob}`),
        host,
        topic: s.topic,
        parsed: true,
        send: async (p, h, signal) => appendLine(h, await tailedFile(h, glob), probeLogLine(p), signal),
      }));
    case 'http':
      return [
        {
          label: label(`http :${s.port}`),
          host,
          topic: s.topic,
          parsed: true,
          // Flume's JSON handler: an array of events, each a body and headers.
          send: (p, _h, signal) => postJson(`http://${address}:${s.port}/`, JSON.stringify([{ headers: {}, body: probeJson(p) }]), signal),
        },
      ];
    case 'syslog-tcp':
    case 'syslog-udp':
      return [
        {
          label: label(`${s.type} :${s.port}`),
          host,
          topic: s.topic,
          // A syslog body is its message text, which no sample job reads: followed into Kafka only.
          parsed: false,
          send: (p) => sendSyslog(s.type === 'syslog-tcp' ? 'tcp' : 'udp', address, s.port!, syslogMessage(p, probeJson(p))),
        },
      ];
  }
}

/** Every source of every agent, one path per tailed glob. */
export function flumeIngestPaths(inv: Inventory): IngestPath[] {
  return inv.instances.filter((i) => i.def.role === FLUME).flatMap((i) => flumeSettingsOf(i).sources.flatMap((s) => pathOf(i.host.name, i.host.address, s)));
}
