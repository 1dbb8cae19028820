// Driver privacy: positions are stored (for safety) but hidden from screens, history and exports unless a
// supervisor unlocks them with a reason (audited).
import { FenceSchedule } from './fences';
import { method, NoParams, Nullable, StringEnum, Type, type Static } from './schema';

export const PrivacyRule = Type.Object({
  id: Type.Integer(),
  kind: StringEnum(['vehicle', 'driver'] as const),
  subjectId: Type.String(),
  /** null = always; otherwise while the schedule is active (e.g. off-duty hours). */
  schedule: Nullable(FenceSchedule),
  note: Type.String(),
  createdMs: Type.Number(),
});
export type PrivacyRule = Static<typeof PrivacyRule>;

export const PrivacyRuleInput = Type.Object({
  id: Type.Optional(Type.Integer()),
  kind: StringEnum(['vehicle', 'driver'] as const),
  subjectId: Type.String(),
  schedule: Type.Optional(Nullable(FenceSchedule)),
  note: Type.Optional(Type.String()),
});
export type PrivacyRuleInput = Omit<PrivacyRule, 'id' | 'createdMs'> & { id?: number };

export const PrivacyStatus = Type.Object({
  rules: Type.Array(PrivacyRule),
  supervisorPasswordSet: Type.Boolean(),
  /** How long an unlock lasts. */
  unlockMinutes: Type.Number(),
});
export type PrivacyStatus = Static<typeof PrivacyStatus>;

export const PrivacyUnlock = Type.Object({
  /** Pass with history and export calls to include private data (recorded in the audit log). */
  token: Type.String(),
  untilMs: Type.Number(),
});
export type PrivacyUnlock = Static<typeof PrivacyUnlock>;

/** One kind of data FleetDesk keeps, for the "data we collect" page. */
export const DataInventoryItem = Type.Object({ what: Type.String(), fields: Type.String(), why: Type.String(), kept: Type.String() });
export type DataInventoryItem = Static<typeof DataInventoryItem>;

const SupervisorPassword = Type.Optional(Type.String());

export const privacyMethods = {
  getPrivacy: method('viewer', NoParams, PrivacyStatus),
  /** Changing an existing rule (with `id`) needs the supervisor password; adding one does not. */
  savePrivacyRule: method('supervisor', Type.Composite([PrivacyRuleInput, Type.Object({ supervisorPassword: SupervisorPassword })]), PrivacyRule),
  deletePrivacyRule: method('supervisor', Type.Object({ id: Type.Integer(), supervisorPassword: SupervisorPassword }), Type.Object({ deleted: Type.Boolean() })),
  /** First time: no `current`; to change it, the current password. */
  setSupervisorPassword: method('admin', Type.Object({ current: Type.Optional(Type.String()), next: Type.String() }), PrivacyStatus),
  /** A supervisor shows private positions for a while, giving a reason; both are recorded in the audit log. */
  unlockPrivacy: method('supervisor', Type.Object({ password: Type.String(), reason: Type.String(), by: Type.Optional(Type.String()) }), PrivacyUnlock),
  /** What FleetDesk stores and for how long ("data we collect"). */
  getDataInventory: method('viewer', NoParams, Type.Array(DataInventoryItem)),
};
