import { formatDiagnostic } from '../inventory/diagnostics.js';
import { loadInventory } from '../inventory/load.js';
import { secretNames } from '../phases/open.js';
import { ClusterState } from '../state/cluster-state.js';
import type { Output } from '../ui/output.js';
import type { SubmitContext } from './submit.js';

/** What job verbs need: the inventory and the cluster's secrets; no SSH (they talk to YARN, HDFS and Kafka). */
export async function openJobContext(inventory: string, out: Output, opts: { quiet?: boolean; signal?: AbortSignal } = {}): Promise<SubmitContext> {
  const { inventory: inv, warnings } = await loadInventory(inventory);
  if (!opts.quiet) for (const w of warnings) out.diagnostic(formatDiagnostic(w), 'warning');
  const state = new ClusterState(inv.clusterName);
  const secrets: Record<string, string> = {};
  for (const name of secretNames(inv)) secrets[name] = await state.secret(name);
  return { inv, stateDir: state.dir, secrets, log: (l) => !opts.quiet && out.info(l), signal: opts.signal };
}
