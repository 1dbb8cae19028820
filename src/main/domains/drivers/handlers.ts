// Driver methods: scores, driving events (without private ones), and shifts.
import type { DrivingEvent } from '../../../shared/contract/drivers';
import type { driversMethods } from '../../../shared/contract/drivers';
import { driverScoresFrom, shiftResolver } from '../../core/analytics/scoring';
import type { Store } from '../../core/storage/store';
import { ApiError } from '../../api/api-error';
import { limitOf, type HandlersOf } from '../../api/handlers';
import type { PrivacyGate } from '../privacy/gate';
import type { Rules } from '../rules/rules';

export function driversHandlers(d: { store: Store; rules: Rules; gate: PrivacyGate }): HandlersOf<typeof driversMethods> {
  const { store, gate } = d;
  return {
    getDriverScores: async (p) => {
      const toMs = p.toMs ?? Date.now();
      const fromMs = p.fromMs ?? toMs - 86_400_000;
      if (!(toMs > fromMs)) throw new ApiError('bad_request', 'The period must end after it starts.');
      return driverScoresFrom(store, fromMs, toMs, d.rules.penalties(), shiftResolver(store.drivers.listAssignments()));
    },
    listDrivingEvents: async (p) => {
      const now = Date.now();
      const fromMs = p.fromMs ?? now - 86_400_000;
      const toMs = p.toMs ?? now + 86_400_000;
      const limit = limitOf(p.limit, 1000, 100_000);
      // events carry a place: those under privacy mode are left out of lists (scores still count them)
      const shown = (list: DrivingEvent[]) => list.filter((e) => !gate.isPrivate(e.vehicleId, e.driverId, e.tsMs));
      const driverId = p.driverId;
      if (!driverId) return shown(store.drivers.listEvents({ fromMs, toMs, vehicleId: p.vehicleId, limit }));
      // the driver's own events, and events without a driver from vehicles while the driver was on shift
      const assignments = store.drivers.listAssignments();
      const onShift = shiftResolver(assignments);
      const named = store.drivers.listEvents({ fromMs, toMs, vehicleId: p.vehicleId, driverId, limit });
      const unnamed = assignments.some((a) => a.driverId === driverId)
        ? store.drivers.listEvents({ fromMs, toMs, vehicleId: p.vehicleId, limit }).filter((e) => !e.driverId && onShift(e.vehicleId, e.tsMs) === driverId).map((e) => ({ ...e, driverId }))
        : [];
      return shown([...named, ...unnamed].sort((a, b) => a.tsMs - b.tsMs).slice(-limit));
    },
    listAssignments: async () => store.drivers.listAssignments(),
    addAssignment: async (p) => {
      const vehicleId = p.vehicleId.trim();
      const driverId = p.driverId.trim();
      if (!vehicleId || !driverId) throw new ApiError('bad_request', 'Vehicle and driver are required.');
      if (p.endMs !== null && !(p.endMs > p.startMs)) throw new ApiError('bad_request', 'The shift must have a start, and an end after it (or none).');
      const clash = store.drivers.listAssignments().find((a) => a.vehicleId === vehicleId && p.startMs < (a.endMs ?? Infinity) && (p.endMs ?? Infinity) > a.startMs);
      if (clash) throw new ApiError('bad_request', `${vehicleId} already has ${clash.driverId} on shift from ${new Date(clash.startMs).toISOString()}${clash.endMs ? ` to ${new Date(clash.endMs).toISOString()}` : ''}.`);
      const added = store.drivers.addAssignment({ vehicleId, driverId, startMs: p.startMs, endMs: p.endMs });
      gate.shiftsChanged();
      return added;
    },
    deleteAssignment: async (p) => {
      const deleted = store.drivers.deleteAssignment(p.id);
      if (deleted) gate.shiftsChanged();
      return { deleted };
    },
  };
}
