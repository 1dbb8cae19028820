// History methods: tracks, trips, stops, visits and events over a range; the replay cursor's point.
import type { historyMethods } from '../../../shared/contract/history';
import { HistoryQueryError, queryHistory, validateHistoryQuery } from '../../core/history/history';
import type { Store } from '../../core/storage/store';
import { ApiError } from '../../api/api-error';
import { actor, type HandlersOf } from '../../api/handlers';
import type { PrivacyGate } from '../privacy/gate';

export function historyHandlers(d: { store: Store; gate: PrivacyGate }): HandlersOf<typeof historyMethods> {
  const { store, gate } = d;
  return {
    getHistory: async (p, caller) => {
      try {
        validateHistoryQuery(p);
      } catch (err) {
        if (err instanceof HistoryQueryError) throw new ApiError('bad_request', err.message);
        throw err;
      }
      // fold in what arrived since the last background pass (normally seconds of telemetry; a big
      // backlog is left to the background pass, and the raw path answers short ranges correctly anyway)
      if (store.track.backlog() <= 500_000) while (store.track.summarize() > 0);
      const { policy, unlocked } = gate.privacyFor(p.unlockToken, actor(caller, p.by, 'dispatcher'), { via: 'history', vehicles: p.vehicleIds, fromMs: p.fromMs, toMs: p.toMs });
      // what happened to the jobs each vehicle held, where privacy does not hide that moment
      return queryHistory(store, p, policy, unlocked).map((h) => {
        const hiddenAt = (tsMs: number) => h.hidden.some((x) => tsMs >= x.fromMs && tsMs <= x.toMs) || (policy?.isPrivate(h.vehicleId, null, tsMs) ?? false);
        return { ...h, jobEvents: store.jobs.eventsOfVehicle(h.vehicleId, p.fromMs, p.toMs, 2000).filter((e) => !hiddenAt(e.tsMs)) };
      });
    },
    getPointAt: async (p, caller) => {
      const at = store.telemetry.pointAt(p.vehicleId, p.tsMs);
      if (!at) return null;
      const { policy } = gate.privacyFor(p.unlockToken, actor(caller, p.by, 'dispatcher'), { via: 'replay cursor', vehicles: [p.vehicleId], tsMs: p.tsMs }, `replay|${p.vehicleId}`);
      if (policy?.isPrivate(p.vehicleId, at.point.driverId, at.point.tsMs)) return null;
      return at;
    },
  };
}
