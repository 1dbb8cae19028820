// Privacy methods: rules, the supervisor password, unlocks, and what FleetDesk keeps.
import type { privacyMethods } from '../../../shared/contract/privacy';
import type { DataInventoryItem } from '../../../shared/contract/privacy';
import { SUPERVISOR_PASSWORD_KEY, validatePrivacyRule } from '../../core/privacy/privacy';
import { hashSecret, verifySecret } from '../../core/security/broker-policy';
import type { Store } from '../../core/storage/store';
import { ApiError } from '../../api/api-error';
import { actor, type HandlersOf } from '../../api/handlers';
import type { PrivacyGate } from './gate';

export function privacyHandlers(d: { store: Store; gate: PrivacyGate; inventory: () => DataInventoryItem[] }): HandlersOf<typeof privacyMethods> {
  const { store, gate } = d;
  return {
    getPrivacy: async () => gate.status(),
    savePrivacyRule: async (p, caller) => {
      const input = { id: p.id, kind: p.kind, subjectId: p.subjectId.trim(), note: (p.note ?? '').trim(), schedule: p.schedule ?? null };
      const err = validatePrivacyRule(input);
      if (err) throw new ApiError('bad_request', err);
      // a new rule only hides more; changing one may show what it hid: that is the supervisor's
      const existing = input.id === undefined ? undefined : store.privacy.list().find((r) => r.id === input.id);
      if (existing) gate.checkSupervisor(p.supervisorPassword, 'change a privacy rule');
      else delete input.id;
      const rule = store.privacy.save(input, Date.now());
      store.audit.add({ tsMs: Date.now(), actor: actor(caller, undefined, existing ? 'supervisor' : 'dispatcher'), action: existing ? 'privacy_rule_changed' : 'privacy_rule_saved', detail: JSON.stringify(existing ? { before: existing, after: rule } : rule) });
      gate.rulesChanged();
      return rule;
    },
    deletePrivacyRule: async (p, caller) => {
      const rule = store.privacy.list().find((r) => r.id === p.id);
      if (!rule) return { deleted: false };
      gate.checkSupervisor(p.supervisorPassword, 'remove a privacy rule');
      const deleted = store.privacy.delete(rule.id);
      if (deleted) {
        store.audit.add({ tsMs: Date.now(), actor: actor(caller, undefined, 'supervisor'), action: 'privacy_rule_deleted', detail: JSON.stringify(rule) });
        gate.rulesChanged();
      }
      return { deleted };
    },
    setSupervisorPassword: async (p, caller) => {
      if (p.next.length < 8) throw new ApiError('bad_request', 'The supervisor password needs at least 8 characters.');
      const stored = store.settings.get(SUPERVISOR_PASSWORD_KEY);
      if (stored && !(p.current !== undefined && verifySecret(p.current, stored))) throw new ApiError('bad_request', 'The current supervisor password is wrong.');
      store.settings.set(SUPERVISOR_PASSWORD_KEY, hashSecret(p.next));
      store.audit.add({ tsMs: Date.now(), actor: actor(caller, undefined, 'supervisor'), action: stored ? 'supervisor_password_changed' : 'supervisor_password_set', detail: '{}' });
      return gate.status();
    },
    unlockPrivacy: async (p, caller) => {
      const now = Date.now();
      const by = actor(caller, p.by, 'supervisor');
      const reason = p.reason.trim().slice(0, 500);
      if (reason.length < 5) throw new ApiError('bad_request', 'Give the reason for looking at private positions (it is recorded).');
      gate.checkSupervisor(p.password, 'unlock private positions', by, { reason });
      const unlock = gate.unlock(by, reason, now);
      store.audit.add({ tsMs: now, actor: by, action: 'privacy_unlock', detail: JSON.stringify({ reason, untilMs: unlock.untilMs }) });
      return unlock;
    },
    getDataInventory: async () => d.inventory(),
  };
}
