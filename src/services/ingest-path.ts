import type { Host } from '../hosts/host.js';
import { clfTime } from '../util/clf-time.js';

// The whole-flow check (`pyro verify`, and the end of a `pyro up` that changed something) sends one tagged record
// down every way data enters Kafka. Ingestion services say what those ways are; the check follows each record.

/** What tags a record as pyro's own: its page (an access-log line's path, a JSON event's `page`) starts with it. */
export const PROBE_PREFIX = '/__pyro/verify/';

/** One tagged record: `id` is unique per run and path. */
export interface Probe {
  id: string;
  /** When it was made (epoch ms): the event time it carries. */
  ts: number;
}

export function probePage(p: Probe): string {
  return `${PROBE_PREFIX}${p.id}`;
}

/** The probe as a JSON event, the shape `pyro produce` writes. */
export function probeJson(p: Probe): string {
  return JSON.stringify({ id: 0, page: probePage(p), user: 'pyro-verify', ts: p.ts, probe: p.id });
}

/** The probe as a web access-log line (combined format), the shape a tailed server log has. */
export function probeLogLine(p: Probe): string {
  return `127.0.0.1 - pyro-verify [${clfTime(p.ts)}] "GET ${probePage(p)} HTTP/1.1" 200 0 "-" "pyro-verify"`;
}

/** A path that cannot take a probe yet, and why (a glob no file matches): reported, not failed. */
export class NotSendable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotSendable';
  }
}

/** A way records enter Kafka: a Flume source on a host, a NiFi flow... */
export interface IngestPath {
  /** e.g. `flume h2/access (taildir /var/log/web/access.log)`. */
  label: string;
  host: string;
  topic: string;
  /** The record arrives as a combined-format line or a JSON event, which the sample job reads (syslog does not). */
  parsed: boolean;
  /** Sends the probe in the way a real source would; `host` is the path's host, connected. */
  send(probe: Probe, host: Host, signal: AbortSignal): Promise<void>;
}
