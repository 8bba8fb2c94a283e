import type { ServiceInstance } from '../../inventory/types.js';
import type { ComponentSummary } from '../definition.js';
import type { ProbeContext } from '../runtime.js';
import { liveApp } from '../spark/jobs/yarn-apps.js';
import { SQL_APP_NAME, sqlJdbcUrl } from './endpoints.js';
import { SPARK_SQL } from './settings.js';

/** The Spark SQL server in `pyro status`: its JDBC URL and its YARN application (containers and memory). */
export async function sparkSqlStatus(ctx: ProbeContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined> {
  const inst = managed.find((i) => i.def.role === SPARK_SQL);
  if (!inst) return undefined;
  const app = await liveApp(ctx.inv, SQL_APP_NAME).catch(() => undefined);
  const url = sqlJdbcUrl(inst);
  // The ApplicationMaster's container is one of them: the rest are executors.
  const executors = app?.runningContainers === undefined ? undefined : Math.max(0, app.runningContainers - 1);
  const what = app
    ? `${app.id} ${app.state}${executors === undefined ? '' : `, ${executors} executor${executors === 1 ? '' : 's'}, ${app.allocatedMB} MB on YARN`}`
    : 'no YARN application';
  return {
    key: 'sparkSql',
    data: { url, app: app ? { id: app.id, state: app.state, executors, allocatedMB: app.allocatedMB, trackingUrl: app.trackingUrl } : undefined },
    lines: [`SQL    ${url}: ${what}`],
    problems: app ? [] : [`the Spark SQL server on ${inst.host.name} has no application on YARN`],
    ui: {},
  };
}
