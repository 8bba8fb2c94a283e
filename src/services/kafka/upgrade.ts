import type { ServiceModule, ServiceStep } from '../definition.js';
import { BROKER, CONTROLLER } from './endpoints.js';
import { downgradeRefusal, finalizedLevels, finalizeFeatures, kafkaVersion, METADATA_VERSION, pendingFinalize, readFeatures } from './features.js';

/** What `pyro kafka finalize` and the hint of a held upgrade say. */
export const FINALIZE_HINT = '`pyro kafka finalize` (or a `pyro up` without --no-finalize) raises them; until then the previous version can come back';

/**
 * After the tiers: once every broker and controller runs binaries newer than the cluster's feature levels, raise
 * them, each feature set explicitly. `up --no-finalize` holds them, so the old version can still come back.
 */
export const finalizeStep: ServiceStep = {
  name: 'features',
  shouldRun: (ctx) => ctx.managedRoles.includes(BROKER) && ctx.managedRoles.includes(CONTROLLER),
  async run(ctx) {
    const st = await readFeatures(ctx.inv);
    const level = st.finalized[METADATA_VERSION] ?? 0;
    if (!pendingFinalize(st)) return { finalized: st.finalized, updates: [] };
    if (!ctx.finalize || ctx.dryRun) {
      ctx.log(
        `[kafka] ${ctx.dryRun ? 'would finalise' : 'held (--no-finalize)'}: every node supports metadata.version ${st.commonMax}, the cluster runs at ${level}${ctx.dryRun ? '' : `; ${FINALIZE_HINT}`}`,
      );
      return { finalized: st.finalized, updates: [], held: true };
    }
    const r = await finalizeFeatures({ ...ctx, timeoutSec: 120 }, st);
    for (const u of r.updates) {
      ctx.change(`kafka: finalise ${u.feature} ${u.from} -> ${u.to}`);
      ctx.log(`[kafka] finalised ${u.feature} ${u.from} -> ${u.to} (Kafka ${r.release})`);
    }
    if (r.skipped) ctx.warn(`Kafka features not finalised: ${r.skipped}`);
    return { finalized: st.finalized, updates: r.updates };
  },
  notReachable: (e) => `Kafka feature levels not checked: ${e}`,
};

/** Refuses a Kafka version below the feature levels the running cluster has finalised, before anything changes. */
export const kafkaGuard: NonNullable<ServiceModule['guard']> = async (ctx) => {
  const finalized = await finalizedLevels(ctx.inv);
  const why = finalized && downgradeRefusal(kafkaVersion(ctx.inv), finalized);
  if (!why) return undefined;
  return {
    code: 'KAFKA_DOWNGRADE_REFUSED',
    message: why,
    hint: 'finalised feature levels cannot be lowered: keep artifacts.versions.kafka at this release or newer. To keep a way back next time, upgrade with `pyro up --no-finalize` and finalise once satisfied',
  };
};
