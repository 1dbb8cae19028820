// Alert methods: the queue, acknowledge and resolve, snooze and mute.
import type { Alert, alertsMethods } from '../../../shared/contract/alerts';

const noteOf = (note: string | undefined) => note?.trim().slice(0, 500) || undefined;
import { VEHICLE_ID_PATTERN } from '../../core/telemetry/validate';
import type { Store } from '../../core/storage/store';
import { ApiError } from '../../api/api-error';
import { actor, limitOf, type Emit, type HandlersOf } from '../../api/handlers';
import type { PrivacyGate } from '../privacy/gate';
import type { AlertDesk } from './desk';
import { roleRank } from '../users/accounts';

export function alertsHandlers(d: { store: Store; desk: AlertDesk; gate: PrivacyGate; emit: Emit; statusChanged: () => void }): HandlersOf<typeof alertsMethods> {
  const { store, desk, gate } = d;
  /** Pushes a changed alert and the new counts, and answers with it as this screen may see it. */
  const changed = (alert: ReturnType<Store['alerts']['get']>, id: number) => {
    if (!alert) throw new ApiError('not_found', `Alert ${id} does not exist.`);
    d.emit('alertUpdated', alert);
    d.statusChanged();
    return gate.shownAlert(alert);
  };
  const changedMany = (alerts: Alert[]) => {
    for (const a of alerts) d.emit('alertUpdated', a);
    if (alerts.length) d.statusChanged();
    return alerts.map((a) => gate.shownAlert(a));
  };
  /**
   * `by`, unless a line is being handled by someone else: then the screen asks its user first and comes
   * back with `override`.
   */
  const notClaimedByOthers = (ids: readonly number[], by: string, override: boolean | undefined): string => {
    // headquarters sees a depot's alerts and their state; the depot owns them
    const owned = ids.map((id) => store.alerts.get(id)).find((a) => a?.depotId);
    if (owned) throw new ApiError('forbidden', `Alert ${owned.id} belongs to depot ${owned.depotId}: it is handled there (headquarters sees its state as the depot sends it).`);
    if (override) return by;
    const taken = ids.map((id) => store.alerts.get(id)).filter((a) => a && a.claimedBy !== null && a.claimedBy !== by && a.resolvedMs === null);
    if (taken.length === 0) return by;
    const who = [...new Set(taken.map((a) => a!.claimedBy))].join(', ');
    throw new ApiError('conflict', taken.length === 1 ? `${who} is handling alert ${taken[0]!.id}.` : `${who} ${who.includes(',') ? 'are' : 'is'} handling ${taken.length} of these alerts.`);
  };
  return {
    listAlerts: async (q) =>
      store
        .alerts.list({
          limit: limitOf(q.limit, 200, 5000),
          includeAcknowledged: q.includeAcknowledged === true,
          includeSuppressed: q.includeSuppressed === true,
          severity: q.severity,
          types: q.types,
          vehicleId: q.vehicleId?.trim() || undefined,
          fromMs: q.fromMs,
          toMs: q.toMs,
          sort: q.sort ?? 'time',
        })
        .map((a) => gate.shownAlert(a)),
    acknowledgeAlert: async (p, caller) => {
      const by = notClaimedByOthers([p.alertId], actor(caller, p.by, 'dispatcher'), p.override);
      return changed(store.alerts.acknowledge(p.alertId, by, Date.now(), noteOf(p.note)), p.alertId);
    },
    resolveAlert: async (p, caller) => {
      const by = notClaimedByOthers([p.alertId], actor(caller, p.by, 'dispatcher'), p.override);
      return changed(store.alerts.resolve(p.alertId, by, Date.now(), noteOf(p.note)), p.alertId);
    },
    acknowledgeAlerts: async (p, caller) => changedMany(store.alerts.many('acknowledge', p.alertIds, notClaimedByOthers(p.alertIds, actor(caller, p.by, 'dispatcher'), p.override), Date.now(), noteOf(p.note))),
    resolveAlerts: async (p, caller) => changedMany(store.alerts.many('resolve', p.alertIds, notClaimedByOthers(p.alertIds, actor(caller, p.by, 'dispatcher'), p.override), Date.now(), noteOf(p.note))),
    claimAlert: async (p, caller) => {
      const by = notClaimedByOthers([p.alertId], actor(caller, p.by, 'dispatcher'), p.override);
      const a = store.alerts.get(p.alertId);
      if (a?.resolvedMs) throw new ApiError('bad_request', `Alert ${p.alertId} is resolved: there is nothing left to handle.`);
      return changed(store.alerts.claim(p.alertId, by, Date.now()), p.alertId);
    },
    releaseAlert: async (p) => changed(store.alerts.claim(p.alertId, null, Date.now()), p.alertId),
    suppress: async (p, caller) => {
      const vehicleId = p.vehicleId.trim();
      if (!VEHICLE_ID_PATTERN.test(vehicleId)) throw new ApiError('bad_request', 'Which vehicle? vehicleId is missing or not a vehicle id.');
      if (!(p.durationMin > 0) || p.durationMin > 30 * 24 * 60) throw new ApiError('bad_request', 'durationMin must be between 1 minute and 30 days.');
      const reason = (p.reason ?? '').trim().slice(0, 200);
      if (p.kind === 'mute' && !reason) throw new ApiError('bad_request', 'A mute needs a reason (the known issue), so the next shift knows why alerts are quiet.');
      if (p.durationMin > 24 * 60 && caller?.user && !caller.local && roleRank(caller.user.role) < roleRank('supervisor')) {
        throw new ApiError('forbidden', `A ${p.kind} of more than 24 hours is a supervisor's decision; ${caller.user.name} is signed in as ${caller.user.role}.`);
      }
      const now = Date.now();
      const created = store.alerts.addSuppression({ kind: p.kind, vehicleId, type: p.type, untilMs: now + p.durationMin * 60_000, reason: reason || 'snoozed', createdBy: actor(caller, p.by, 'dispatcher'), createdMs: now });
      desk.refreshSuppressions(now);
      // the lines it covers are handled: they leave the open count (a snooze leaves critical ones open)
      const how = p.kind === 'mute' ? `muted: ${created.reason}` : `snoozed ${p.durationMin} min`;
      const handled = store.alerts.handleBySuppression(vehicleId, p.type, p.kind === 'mute', `${created.createdBy} (${how})`.slice(0, 120), now);
      for (const a of handled) d.emit('alertUpdated', a);
      if (handled.length) d.statusChanged();
      return created;
    },
    listSuppressions: async () => desk.refreshSuppressions(),
    endSuppression: async (p) => {
      const ended = store.alerts.endSuppression(p.id, Date.now());
      desk.refreshSuppressions();
      return { ended };
    },
  };
}
