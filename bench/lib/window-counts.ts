// The serving table's counts over time, polled every 100 ms: how the latency benches see when an event is counted.
import type pg from 'pg';

/** `${window start ms}|${page}` -> each change of that row's count, with when it was seen. */
export type CountHistory = Map<string, { views: number; at: number }[]>;

/** Polls page_views until `stop`, which resolves with every row's history. */
export function watchWindowCounts(db: pg.Client): { stop(): Promise<CountHistory> } {
  const seen: CountHistory = new Map();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const rows = (
        await db.query<{ w: string; page: string; views: string }>(
          'SELECT (extract(epoch from window_start) * 1000)::bigint::text AS w, page, views::text FROM page_views',
        )
      ).rows;
      const at = Date.now();
      for (const r of rows) {
        const k = `${r.w}|${r.page}`;
        const list = seen.get(k) ?? [];
        if (!list.length || list.at(-1)!.views !== Number(r.views)) list.push({ views: Number(r.views), at });
        seen.set(k, list);
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  return {
    async stop() {
      polling = false;
      await poller;
      return seen;
    },
  };
}
