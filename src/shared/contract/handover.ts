// The operator log and the shift handover: notes by user on the shift, an alert or a vehicle, and what a
// dispatcher starting a shift must know since their last one.
import { Alert, Suppression } from './alerts';
import { method, NoParams, Nullable, StringEnum, Type, type Static } from './schema';

export const NoteSubject = StringEnum(['shift', 'alert', 'vehicle'] as const);

export const OperatorNote = Type.Object({
  id: Type.Integer(),
  tsMs: Type.Number(),
  author: Type.String(),
  subject: NoteSubject,
  /** The alert id or vehicle id the note is about (null for the shift). */
  subjectId: Nullable(Type.String()),
  text: Type.String(),
});
export type OperatorNote = Static<typeof OperatorNote>;

export const Handover = Type.Object({
  /** When the reader's previous shift ended (null: no previous shift; then the last 8 hours). */
  previousShiftEndedMs: Nullable(Type.Number()),
  sinceMs: Type.Number(),
  /** Critical alerts nobody has acknowledged, newest first (at most 50). */
  openCritical: Type.Array(Alert),
  unacknowledged: Type.Integer(),
  suppressions: Type.Array(Suppression),
  offline: Type.Array(Type.Object({ vehicleId: Type.String(), lastSeenMs: Type.Number() })),
  fencesChanged: Type.Array(Type.Object({ atMs: Type.Number(), by: Type.String(), what: Type.String(), name: Type.String() })),
  notes: Type.Array(OperatorNote),
});
export type Handover = Static<typeof Handover>;

export const handoverMethods = {
  /** A note in the operator log: for the next shift, on an alert or on a vehicle. */
  addNote: method('dispatcher', Type.Object({ subject: NoteSubject, subjectId: Type.Optional(Type.String({ maxLength: 64 })), text: Type.String({ minLength: 1, maxLength: 2000, default: 'note' }) }), OperatorNote),
  listNotes: method('viewer', Type.Object({ subject: Type.Optional(NoteSubject), subjectId: Type.Optional(Type.String()), fromMs: Type.Optional(Type.Number()), limit: Type.Optional(Type.Integer({ minimum: 1 })) }), Type.Array(OperatorNote)),
  /** "Since your last shift": open critical alerts, what is unacknowledged, snoozed, offline, fences changed, notes left. */
  getHandover: method('viewer', NoParams, Handover),
};

export const handoverEvents = {
  noteAdded: OperatorNote,
};
