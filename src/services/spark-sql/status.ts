import type { ServiceInstance } from '../../inventory/types.js';
import type { ComponentSummary } from '../definition.js';
import type { StatusContext } from '../runtime.js';
import { liveApp } from '../spark/jobs/yarn-apps.js';
import { SQL_APP_NAME, sqlJdbcUrl } from './endpoints.js';
import { SPARK_SQL } from './settings.js';

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * The Spark SQL server in `pyro status`: its JDBC URL, open sessions and running statements (counted on its
 * host), and its YARN application (containers and memory).
 */
export async function sparkSqlStatus(ctx: StatusContext, managed: readonly ServiceInstance[]): Promise<ComponentSummary | undefined> {
  const inst = managed.find((i) => i.def.role === SPARK_SQL);
  if (!inst) return undefined;
  const [app, facts] = await Promise.all([liveApp(ctx.inv, SQL_APP_NAME).catch(() => undefined), ctx.factsOf(inst)]);
  const sessions = facts?.sessions === undefined ? undefined : Number(facts.sessions);
  const statements = facts?.statements === undefined ? undefined : Number(facts.statements);
  const url = sqlJdbcUrl(inst);
  // The ApplicationMaster's container is one of them: the rest are executors.
  const executors = app?.runningContainers === undefined ? undefined : Math.max(0, app.runningContainers - 1);
  const what = app
    ? `${app.id} ${app.state}${executors === undefined ? '' : `, ${plural(executors, 'executor')}, ${app.allocatedMB} MB on YARN`}`
    : 'no YARN application';
  const load = sessions === undefined ? '' : `${plural(sessions, 'session')}, ${plural(statements ?? 0, 'statement')} running; `;
  return {
    key: 'sparkSql',
    data: {
      url,
      sessions,
      statements,
      app: app ? { id: app.id, state: app.state, executors, allocatedMB: app.allocatedMB, trackingUrl: app.trackingUrl } : undefined,
    },
    lines: [`SQL    ${url}: ${load}${what}`],
    problems: app ? [] : [`the Spark SQL server on ${inst.host.name} has no application on YARN`],
    ui: {},
  };
}
