// Export methods: reports written in the background (privacy applied unless unlocked), and the audit log.
import type { exportsMethods } from '../../../shared/contract/exports';
import type { Store } from '../../core/storage/store';
import { actor, limitOf, type HandlersOf } from '../../api/handlers';
import type { PrivacyGate } from '../privacy/gate';
import type { ExportJobs } from './jobs';

export function exportsHandlers(d: { store: Store; jobs: ExportJobs; gate: PrivacyGate }): HandlersOf<typeof exportsMethods> {
  return {
    startExport: async (p, caller) => {
      const by = actor(caller, p.by, 'dispatcher');
      const { policy } = d.gate.privacyFor(p.unlockToken, by, { via: 'export', report: p.report, format: p.format, vehicles: p.vehicleIds ?? [], fromMs: p.fromMs, toMs: p.toMs });
      return d.jobs.start({ ...p, by }, policy);
    },
    cancelExport: async (p) => ({ cancelled: d.jobs.cancel(p.jobId) }),
    listAudit: async (p) => d.store.audit.list(limitOf(p.limit, 100, 1000)),
  };
}
