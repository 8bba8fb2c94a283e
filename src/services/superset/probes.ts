import { SupersetClient } from '../../clients/superset.js';
import { errorText } from '../../clients/http.js';
import type { ServiceInstance } from '../../inventory/types.js';
import type { ProbeContext, ProbeResult } from '../runtime.js';
import { adminUser, SUPERSET_ADMIN_SECRET, supersetUrl } from './registry.js';

/** Ready: /health answers OK. */
export async function supersetReady(inst: ServiceInstance): Promise<ProbeResult> {
  const r = await new SupersetClient(supersetUrl(inst), 10_000).healthy();
  return { ok: r.ok, detail: r.detail };
}

/** Gate: the API accepts the admin login with the password in the cluster state. */
export async function supersetGate(instances: ServiceInstance[], ctx: ProbeContext): Promise<ProbeResult> {
  const inst = instances[0]!;
  const user = adminUser(ctx.inv);
  try {
    await new SupersetClient(supersetUrl(inst), 20_000).login(user, ctx.secrets[SUPERSET_ADMIN_SECRET] ?? '');
    return { ok: true, detail: `API login as ${user} accepted at ${supersetUrl(inst)}` };
  } catch (e) {
    return { ok: false, detail: `API login as ${user}: ${errorText(e)}` };
  }
}
