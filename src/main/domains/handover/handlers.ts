// Operator log and shift handover methods: notes by the signed-in user, and "since your last shift".
import type { handoverMethods } from '../../../shared/contract/handover';
import type { LiveState } from '../../core/live/live-state';
import type { Store } from '../../core/storage/store';
import { ApiError } from '../../api/api-error';
import { actor, limitOf, type Emit, type HandlersOf } from '../../api/handlers';
import type { AlertDesk } from '../alerts/desk';
import type { PrivacyGate } from '../privacy/gate';

/** Without a previous shift to start from, the handover looks this far back. */
const DEFAULT_LOOKBACK_MS = 8 * 3_600_000;

export function handoverHandlers(d: { store: Store; live: LiveState; desk: AlertDesk; gate: PrivacyGate; emit: Emit }): HandlersOf<typeof handoverMethods> {
  const { store } = d;
  return {
    addNote: async (p, caller) => {
      const subjectId = p.subject === 'shift' ? null : p.subjectId?.trim() || null;
      // a note about something is found from it: say so now rather than keep one nobody will see
      if (p.subject !== 'shift' && subjectId === null) throw new ApiError('bad_request', `A note on ${p.subject === 'alert' ? 'an alert' : 'a vehicle'} needs its id.`);
      if (p.subject === 'alert' && (!/^\d{1,15}$/.test(subjectId!) || !store.alerts.get(Number(subjectId)))) throw new ApiError('not_found', `Alert ${subjectId} does not exist.`);
      const text = p.text.trim();
      if (!text) throw new ApiError('bad_request', 'The note is empty.');
      const note = store.notes.add({ tsMs: Date.now(), author: actor(caller, undefined, 'dispatcher'), subject: p.subject, subjectId, text });
      d.emit('noteAdded', note);
      return note;
    },
    listNotes: async (p) => store.notes.list({ subject: p.subject, subjectId: p.subjectId, fromMs: p.fromMs, limit: limitOf(p.limit, 200, 2000) }),
    getHandover: async (_p, caller) => {
      const now = Date.now();
      const previous = caller?.user?.id != null && caller.sessionId !== null ? store.users.previousShiftEnd(caller.user.id, caller.sessionId) : null;
      const sinceMs = previous ?? now - DEFAULT_LOOKBACK_MS;
      const fencesChanged = store.audit
        .list(1000)
        // strictly after: what happened in the reader's last moment of the previous shift was theirs to see
        .filter((e) => e.tsMs > sinceMs && e.action.startsWith('fence_'))
        .map((e) => {
          const detail = JSON.parse(e.detail) as { name?: string; id?: string };
          return { atMs: e.tsMs, by: e.actor, what: e.action.replace('fence_', ''), name: detail.name ?? detail.id ?? '' };
        });
      return {
        previousShiftEndedMs: previous,
        sinceMs,
        openCritical: store.alerts.list({ limit: 50, severity: ['critical'] }).map((a) => d.gate.shownAlert(a)),
        unacknowledged: store.alerts.countOpen(),
        suppressions: d.desk.refreshSuppressions(now),
        offline: d.live
          .all(now)
          .filter((v) => v.status === 'offline')
          .map((v) => ({ vehicleId: v.vehicleId, lastSeenMs: v.lastSeenMs })),
        fencesChanged,
        notes: store.notes.list({ fromMs: sinceMs + 1, limit: 200 }),
      };
    },
  };
}
