import { risonList, type SupersetClient } from '../../clients/superset.js';
import type { Inventory } from '../../inventory/types.js';
import { probesDataset } from './registry.js';
import { connectSuperset } from './sync.js';

/**
 * Reads the whole-flow check's probes back out through Superset's chart-data API, as a chart would: a query on the
 * probe dataset, the cache bypassed. One login per check; `read` is polled.
 */
export interface ProbeChart {
  read(ids: readonly string[]): Promise<{ seen: Set<string>; problem?: string }>;
}

export async function probeChart(inv: Inventory, secrets: Record<string, string>): Promise<ProbeChart> {
  const want = probesDataset(inv);
  let client: SupersetClient | undefined;
  let datasetId: number | undefined;
  return {
    async read(ids) {
      if (!want) return { seen: new Set(), problem: 'no dataset over the probe table (no jobs or no serving PostgreSQL)' };
      client ??= await connectSuperset(inv, secrets);
      if (datasetId === undefined) {
        const q = risonList(['id', 'uuid', 'table_name'], { filters: `!((col:table_name,opr:eq,value:${want.table}))` });
        const rows = (await client.get<{ result: { id: number; uuid: string }[] }>(`/api/v1/dataset/?q=${q}`)).result;
        datasetId = (rows.find((r) => r.uuid === want.uuid) ?? rows[0])?.id;
        if (datasetId === undefined)
          return { seen: new Set(), problem: `Superset has no dataset ${want.table} yet (\`pyro up\` registers it once a job has made the table)` };
      }
      const r = await client.post<{ result: { data: { probe: string }[] }[] }>('/api/v1/chart/data', {
        datasource: { id: datasetId, type: 'table' },
        force: true,
        queries: [{ columns: ['probe'], filters: [{ col: 'probe', op: 'IN', val: [...ids] }], row_limit: 1000 }],
        result_format: 'json',
        result_type: 'full',
      });
      return { seen: new Set(r.result.flatMap((x) => x.data.map((d) => d.probe))) };
    },
  };
}
