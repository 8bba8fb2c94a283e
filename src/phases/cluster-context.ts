import { formatDiagnostic } from '../inventory/diagnostics.js';
import { loadInventory } from '../services/catalog.js';
import type { SubmitContext } from '../services/spark/jobs/submit.js';
import { ClusterState, type ClusterIds } from '../state/cluster-state.js';
import type { Output } from '../ui/output.js';
import { clusterSecrets } from './open.js';

/** What job verbs need: the inventory and the cluster's secrets; no SSH (they talk to YARN, HDFS and Kafka). */
export async function openJobContext(
  inventory: string,
  out: Output,
  opts: { quiet?: boolean; signal?: AbortSignal } = {},
): Promise<SubmitContext & { ids: ClusterIds }> {
  const { inventory: inv, warnings } = await loadInventory(inventory);
  if (!opts.quiet) for (const w of warnings) out.diagnostic(formatDiagnostic(w), 'warning');
  const state = new ClusterState(inv.clusterName);
  const { ids, secrets } = await clusterSecrets(inv, state);
  return { inv, ids, stateDir: state.dir, secrets, log: (l) => !opts.quiet && out.info(l), signal: opts.signal };
}
