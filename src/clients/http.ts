/** GETs a URL and parses JSON; rejects with the status or the network error, within `timeoutMs`. */
export async function getJson<T = unknown>(url: string, timeoutMs = 5000): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** One bean from a Hadoop daemon's /jmx servlet. */
export async function jmxBean(baseUrl: string, name: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
  const doc = await getJson<{ beans?: Record<string, unknown>[] }>(`${baseUrl}/jmx?qry=${encodeURIComponent(name)}`, timeoutMs);
  const bean = doc.beans?.[0];
  if (!bean) throw new Error(`${baseUrl}/jmx has no bean ${name} yet`);
  return bean;
}

/** Short text of an error, including the cause fetch hides behind "fetch failed". */
export function errorText(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.message === 'fetch failed' && err.cause) return err.cause.code ?? err.cause.message ?? 'fetch failed';
  if (err?.name === 'TimeoutError') return 'timed out';
  return err?.message ?? String(e);
}
