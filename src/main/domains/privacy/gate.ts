// Privacy mode as every other domain applies it: what screens may see of a vehicle, an alert or a dead
// letter, and the supervisor's password and unlocks (each audited).
import { ALERT_TYPE_TEXT, type Alert } from '../../../shared/contract/alerts';
import type { DeadLetter } from '../../../shared/contract/ingest';
import type { PrivacyStatus } from '../../../shared/contract/privacy';
import type { VehicleState } from '../../../shared/contract/vehicles';
import { PrivacyPolicy, SUPERVISOR_PASSWORD_KEY } from '../../core/privacy/privacy';
import { newSecret, verifySecret } from '../../core/security/broker-policy';
import type { Store } from '../../core/storage/store';
import { vehicleIdFromTopic } from '../../core/telemetry/validate';
import { ApiError } from '../../api/api-error';

export const UNLOCK_MINUTES = 15;

export class PrivacyGate {
  private policy = new PrivacyPolicy([]);
  private readonly unlocks = new Map<string, { untilMs: number; reason: string; by: string; audited: Set<string> }>();
  private failures: number[] = [];

  constructor(
    private readonly store: Store,
    /** Called when what screens may see changed (a rule or a shift): every vehicle is pushed again. */
    private readonly changed: () => void,
  ) {
    this.reload();
  }

  get rules() {
    return this.policy.rules;
  }

  get empty(): boolean {
    return this.policy.empty;
  }

  isPrivate(vehicleId: string, driverId: string | null, tsMs: number): boolean {
    return !this.policy.empty && this.policy.isPrivate(vehicleId, driverId, tsMs);
  }

  reload(): void {
    this.policy = new PrivacyPolicy(this.store.privacy.list(), this.store.drivers.listAssignments());
  }

  /** After a rule changed: every screen gets every vehicle again (hidden or shown as now applies). */
  rulesChanged(): void {
    this.reload();
    this.changed();
  }

  /** A driver rule covers the vehicles its driver is on shift in: a shift change may hide or show vehicles. */
  shiftsChanged(): void {
    const hadDriverRules = this.policy.rules.some((r) => r.kind === 'driver');
    this.reload();
    if (hadDriverRules) this.changed();
  }

  status(): PrivacyStatus {
    return { rules: this.store.privacy.list(), supervisorPasswordSet: this.store.settings.get(SUPERVISOR_PASSWORD_KEY) !== null, unlockMinutes: UNLOCK_MINUTES };
  }

  /** A vehicle as screens may see it: position and driver withheld while privacy mode covers it. */
  shownVehicle(v: VehicleState): VehicleState {
    if (!this.isPrivate(v.vehicleId, v.last.driverId, Date.now())) return v;
    return { ...v, hidden: true, last: { ...v.last, lat: 0, lon: 0, headingDeg: null, driverId: null, attributes: undefined } };
  }

  /** An alert as screens may see it: no location (and no fence name) while privacy mode covered it. */
  shownAlert(a: Alert): Alert {
    if (this.policy.empty || !this.policy.mayAffect(a.vehicleId)) return a;
    const driver = this.store.telemetry.pointAt(a.vehicleId, a.tsMs)?.point.driverId ?? null;
    if (!this.policy.isPrivate(a.vehicleId, driver, a.tsMs)) return a;
    return { ...a, lat: null, lon: null, fenceId: null, fenceName: null, message: `${ALERT_TYPE_TEXT[a.type]} — ${a.vehicleId} (location hidden: privacy mode)` };
  }

  /** A dead letter as screens may see it: its raw payload withheld when it is a private position. */
  shownDeadLetter(d: DeadLetter): DeadLetter {
    if (this.policy.empty) return d;
    const fromTopic = d.topic ? vehicleIdFromTopic(d.topic) : null;
    let body: { vehicle_id?: unknown; driver_id?: unknown; device_id?: unknown } | null = null;
    try {
      body = JSON.parse(d.payloadText);
    } catch {
      // not JSON (an OsmAnd query, a broken payload): ids come from the text
    }
    const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
    const query = /[?&\n](?:id|deviceid)=([^&\s]+)/i.exec(d.payloadText)?.[1] ?? null;
    const vehicleId = fromTopic ?? text(body?.vehicle_id) ?? text(body?.device_id) ?? query;
    const driverId = text(body?.driver_id) ?? /[?&](?:driverUniqueId)=([^&\s]+)/i.exec(d.payloadText)?.[1] ?? null;
    // by the vehicle (or the driver on shift in it), or by a driver named in the payload, whatever the vehicle
    const hidden = this.policy.isPrivate(vehicleId ?? '', driverId, d.receivedMs);
    return hidden ? { ...d, payloadText: '(hidden: privacy mode covers this vehicle or driver)' } : d;
  }

  /**
   * Throws unless `password` is the supervisor's. Wrong ones are audited and, five in five minutes,
   * refused for a while whatever is typed.
   */
  checkSupervisor(password: string | undefined, what: string, by = 'supervisor', detail: Record<string, unknown> = {}): void {
    const now = Date.now();
    const stored = this.store.settings.get(SUPERVISOR_PASSWORD_KEY);
    if (!stored) throw new ApiError('bad_request', `No supervisor password is set: set one in Settings → Privacy first (only a supervisor may ${what}).`);
    this.failures = this.failures.filter((t) => t > now - 5 * 60_000);
    if (this.failures.length >= 5) throw new ApiError('bad_request', 'Too many wrong passwords: wait 5 minutes.');
    if (!password) throw new ApiError('bad_request', `The supervisor password is needed to ${what}.`);
    if (!verifySecret(password, stored)) {
      this.failures.push(now);
      this.store.audit.add({ tsMs: now, actor: by, action: what === 'unlock private positions' ? 'privacy_unlock_refused' : 'supervisor_refused', detail: JSON.stringify({ what, ...detail }) });
      throw new ApiError('bad_request', 'Wrong supervisor password.');
    }
  }

  /** A new unlock for `by`, after the password and the reason were checked. */
  unlock(by: string, reason: string, nowMs: number): { token: string; untilMs: number } {
    const token = newSecret();
    const untilMs = nowMs + UNLOCK_MINUTES * 60_000;
    for (const [k, u] of this.unlocks) if (u.untilMs < nowMs) this.unlocks.delete(k);
    this.unlocks.set(token, { untilMs, reason, by, audited: new Set() });
    return { token, untilMs };
  }

  /** The policy to apply for a request: none when a valid supervisor unlock comes with it (audited). */
  privacyFor(unlockToken: string | undefined, by: string | undefined, what: Record<string, unknown>, auditOnceAs?: string): { policy: PrivacyPolicy | null; unlocked: boolean } {
    if (unlockToken) {
      const u = this.unlocks.get(unlockToken);
      if (!u || u.untilMs < Date.now()) throw new ApiError('bad_request', 'The privacy unlock has expired: unlock again with the supervisor password.');
      // a replay asks for the cursor's point several times a second: one audit line per unlock and vehicle
      const first = auditOnceAs === undefined || !u.audited.has(auditOnceAs);
      if (auditOnceAs !== undefined) u.audited.add(auditOnceAs);
      if (!this.policy.empty && first) this.store.audit.add({ tsMs: Date.now(), actor: by ? by.slice(0, 80) : u.by, action: 'privacy_access', detail: JSON.stringify({ ...what, reason: u.reason }) });
      return { policy: null, unlocked: true };
    }
    return { policy: this.policy.empty ? null : this.policy, unlocked: false };
  }
}
