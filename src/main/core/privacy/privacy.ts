// Driver privacy: which positions are private (a vehicle, or a driver, always or on a schedule such as
// off-duty hours), and what that hides. Positions stay stored for safety; what is shown is filtered.
import type { PrivacyRule, PrivacyRuleInput } from '../../../shared/contract/privacy';
import { shiftResolver } from '../analytics/scoring';
import { isScheduleActive, validateSchedule } from '../rules/schedule';

/** The setting that holds the supervisor password's scrypt hash. */
export const SUPERVISOR_PASSWORD_KEY = 'privacy.supervisorHash';

/** A driver's shift in a vehicle: telemetry that names no driver was driven by whoever was on shift. */
export interface ShiftSpan {
  vehicleId: string;
  driverId: string;
  startMs: number;
  endMs: number | null;
}

export class PrivacyPolicy {
  private readonly byVehicle = new Map<string, PrivacyRule[]>();
  private readonly byDriver = new Map<string, PrivacyRule[]>();
  private readonly onShift: (vehicleId: string, tsMs: number) => string | null;

  constructor(
    readonly rules: readonly PrivacyRule[],
    /** Shift assignments: a driver rule covers a vehicle driven through one even without driver_id. */
    readonly shifts: readonly ShiftSpan[] = [],
  ) {
    this.onShift = shiftResolver(shifts);
    for (const r of rules) {
      const m = r.kind === 'vehicle' ? this.byVehicle : this.byDriver;
      const list = m.get(r.subjectId) ?? [];
      list.push(r);
      m.set(r.subjectId, list);
    }
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Is a position of this vehicle, driven by this driver, at this time private? */
  isPrivate(vehicleId: string, driverId: string | null | undefined, tsMs: number): boolean {
    if (this.rules.length === 0) return false;
    const active = (list: PrivacyRule[] | undefined) => !!list && list.some((r) => r.schedule === null || isScheduleActive(r.schedule, tsMs));
    if (active(this.byVehicle.get(vehicleId))) return true;
    if (this.byDriver.size === 0) return false;
    const driver = driverId || this.onShift(vehicleId, tsMs);
    return !!driver && active(this.byDriver.get(driver));
  }

  /** Could anything of this vehicle be private (a rule for it, or for any driver)? Skips work when not. */
  mayAffect(vehicleId: string): boolean {
    return this.byVehicle.has(vehicleId) || this.byDriver.size > 0;
  }
}

/**
 * Time intervals [start, end] covered by private samples of one vehicle (consecutive private samples
 * merge; the gap up to the next public sample counts as private too), for hiding alerts, events and
 * visits that carry no driver of their own.
 */
export function privateIntervals(samples: readonly { tsMs: number; private: boolean }[]): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.private && start < 0) start = s.tsMs;
    if (!s.private && start >= 0) {
      out.push([start, s.tsMs - 1]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, Number.POSITIVE_INFINITY]);
  return out;
}

export function inIntervals(intervals: readonly [number, number][], tsMs: number): boolean {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = intervals[mid]!;
    if (tsMs < a) hi = mid - 1;
    else if (tsMs > b) lo = mid + 1;
    else return true;
  }
  return false;
}

export function validatePrivacyRule(r: PrivacyRuleInput): string | null {
  if (!r || (r.kind !== 'vehicle' && r.kind !== 'driver')) return 'kind must be "vehicle" or "driver"';
  if (typeof r.subjectId !== 'string' || !r.subjectId.trim() || r.subjectId.length > 128) return `the ${r.kind} id is required`;
  if (r.schedule !== null) {
    const e = validateSchedule(r.schedule);
    if (e) return `schedule: ${e}`;
  }
  if (typeof r.note !== 'string' || r.note.length > 200) return 'note must be text (up to 200 characters)';
  return null;
}
