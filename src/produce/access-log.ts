import { clfTime } from '../util/clf-time.js';

/**
 * Web-server access log lines in the combined log format (what nginx and Apache write by default):
 * `client - user [04/Dec/2026:20:30:51 +0000] "GET /cart HTTP/1.1" 200 5123 "referer" "user agent"`.
 * Deterministic per line number, so a run can be replayed and counted.
 */

/** Paths with their share of the traffic (a long tail, as real sites have). */
const PAGES: readonly [string, number][] = [
  ['/', 30],
  ['/products', 18],
  ['/products/42', 12],
  ['/products/17', 8],
  ['/search', 10],
  ['/cart', 9],
  ['/checkout', 5],
  ['/account', 4],
  ['/about', 2],
  ['/blog/streaming-without-kubernetes', 2],
];
const TOTAL_WEIGHT = PAGES.reduce((n, [, w]) => n + w, 0);

const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'curl/8.11.0',
];
const REFERERS = ['-', 'https://www.example.com/', 'https://duckduckgo.com/', 'https://news.example.org/item?id=4711'];

/** A cheap integer hash: spreads consecutive line numbers over the choices without a random source. */
function mix(n: number, salt: number): number {
  let x = (n * 2654435761 + salt * 40503) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 2246822519) >>> 0;
  x ^= x >>> 13;
  return x >>> 0;
}

function pick<T>(list: readonly T[], n: number, salt: number): T {
  return list[mix(n, salt) % list.length]!;
}

/** The path of line n, weighted by PAGES. */
export function pageOf(n: number): string {
  let r = mix(n, 1) % TOTAL_WEIGHT;
  for (const [p, w] of PAGES) {
    if (r < w) return p;
    r -= w;
  }
  return PAGES[0]![0];
}

export interface AccessLogLine {
  line: string;
  page: string;
  user: string;
}

/** Line n, logged at `ms` (epoch milliseconds). Logged-in users appear in the user field, the others as `-`. */
export function accessLogLine(n: number, ms: number): AccessLogLine {
  const page = pageOf(n);
  const client = `10.${mix(n, 2) % 4}.${mix(n, 3) % 256}.${1 + (mix(n, 4) % 254)}`;
  const userId = (n * 7919) % 1000;
  const user = mix(n, 5) % 3 === 0 ? `user-${userId}` : '-';
  const query = page === '/search' ? `?q=${pick(['kafka', 'spark', 'superset', 'flume', 'hdfs'], n, 6)}` : '';
  const status = pick([200, 200, 200, 200, 200, 200, 200, 304, 404, 200], n, 7);
  const bytes = status === 304 ? 0 : 512 + (mix(n, 8) % 48_000);
  const method = page === '/checkout' && mix(n, 9) % 2 === 0 ? 'POST' : 'GET';
  const line =
    `${client} - ${user} [${clfTime(ms)}] "${method} ${page}${query} HTTP/1.1" ${status} ${bytes} ` + `"${pick(REFERERS, n, 10)}" "${pick(AGENTS, n, 11)}"`;
  return { line, page, user };
}
