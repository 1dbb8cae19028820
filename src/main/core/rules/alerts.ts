// Turns engine output into the alerts a dispatcher reads: severity per rule (restricted fences raise
// their crossings), plain messages, and suppression by snooze/mute (kept, marked suppressed).
import { ALERT_TYPE_TEXT, type AlertSeverity, type AlertType, type Suppression } from '../../../shared/contract/alerts';
import { type Geofence } from '../../../shared/contract/fences';
import { type AlertSettings, type RuleSeverity } from '../../../shared/contract/rules';
import type { EngineOutput } from '../engine/fleet-engine';
import type { NewAlert } from '../storage/store';

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  severity: {
    geofence_enter: 'info',
    geofence_exit: 'info',
    geofence_dwell: 'warning',
    speeding: 'warning',
    // harsh manoeuvres are many and individually minor: they go to driver scoring, not to the alert list
    harsh_brake: 'off',
    rapid_accel: 'off',
    hard_corner: 'off',
    excessive_idle: 'info',
    dtc: 'warning',
    low_fuel: 'warning',
    fuel_drop: 'critical',
    coolant_high: 'critical',
    offline: 'warning',
    // a stop's live ETA past its time window; the window over with the vehicle not there
    job_late: 'warning',
    job_missed: 'critical',
    // an offer the vehicle's device has not answered in time: someone should call
    job_no_answer: 'warning',
  },
  offlineAfterMin: 10,
  escalateAfterMin: 5,
};

/**
 * Is an alert of this vehicle and type covered by a snooze or mute at this wall-clock time? A snooze
 * (a quick "not now") never silences a critical alert; only a mute, given with a reason, does.
 */
export function isSuppressed(suppressions: readonly Suppression[], vehicleId: string, type: AlertType, severity: AlertSeverity, nowMs: number): boolean {
  return suppressions.some((s) => s.vehicleId === vehicleId && (s.type === null || s.type === type) && s.untilMs > nowMs && (s.kind === 'mute' || severity !== 'critical'));
}

/** Severity of a fence crossing: the rule's setting, raised for restricted fences. */
function fenceSeverity(rule: RuleSeverity, type: 'geofence_enter' | 'geofence_exit' | 'geofence_dwell', category: Geofence['category'] | undefined): RuleSeverity {
  if (rule === 'off' || category !== 'restricted') return rule;
  return type === 'geofence_exit' ? 'warning' : 'critical';
}

const fmtDuration = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min` : s >= 60 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`);

export interface AlertContext {
  fences: ReadonlyMap<string, Pick<Geofence, 'name' | 'category'>>;
  settings: AlertSettings;
  suppressions: readonly Suppression[];
  raisedMs: number;
}

export function newAlert(
  ctx: AlertContext,
  type: AlertType,
  severity: AlertSeverity,
  a: { vehicleId: string; tsMs: number; lat: number | null; lon: number | null; message: string; fenceId?: string | null; fenceName?: string | null },
): NewAlert {
  return {
    type,
    severity,
    vehicleId: a.vehicleId,
    fenceId: a.fenceId ?? null,
    fenceName: a.fenceName ?? null,
    tsMs: a.tsMs,
    raisedMs: ctx.raisedMs,
    message: a.message,
    lat: a.lat,
    lon: a.lon,
    suppressed: isSuppressed(ctx.suppressions, a.vehicleId, type, severity, ctx.raisedMs),
  };
}

/** The alerts for one batch of engine output, in the engine's order within each kind. */
export function alertsFromEngineOutput(out: EngineOutput, ctx: AlertContext): NewAlert[] {
  const alerts: NewAlert[] = [];
  for (const e of out.geofence) {
    const type = e.event === 'enter' ? 'geofence_enter' : e.event === 'exit' ? 'geofence_exit' : 'geofence_dwell';
    const fence = ctx.fences.get(e.fenceId);
    const severity = fenceSeverity(ctx.settings.severity[type], type, fence?.category);
    if (severity === 'off') continue;
    const name = fence?.name ?? e.fenceId;
    const message =
      e.event === 'enter' ? `${e.vehicleId} entered ${name}` : e.event === 'exit' ? `${e.vehicleId} left ${name}` : `${e.vehicleId} inside ${name} for ${fmtDuration((e.tsMs - e.sinceMs) / 1000)}`;
    alerts.push(newAlert(ctx, type, severity, { vehicleId: e.vehicleId, tsMs: e.tsMs, lat: e.lat, lon: e.lon, message, fenceId: e.fenceId, fenceName: name }));
  }
  for (const e of out.driving) {
    const severity = ctx.settings.severity[e.type];
    if (severity === 'off') continue;
    const who = e.driverId ? ` (driver ${e.driverId})` : '';
    const message =
      e.type === 'speeding'
        ? `${e.vehicleId}${who} speeding: ${Math.round(e.value)} km/h where the limit is ${Math.round(e.threshold)} km/h`
        : e.type === 'excessive_idle'
          ? `${e.vehicleId}${who} idled for ${fmtDuration(e.value)}`
          : `${e.vehicleId}${who} ${ALERT_TYPE_TEXT[e.type].toLowerCase()}: ${e.value} m/s² (threshold ${e.threshold})`;
    alerts.push(newAlert(ctx, e.type, severity, { vehicleId: e.vehicleId, tsMs: e.tsMs, lat: e.lat, lon: e.lon, message }));
  }
  for (const e of out.health) {
    const severity = ctx.settings.severity[e.type];
    if (severity === 'off') continue;
    alerts.push(newAlert(ctx, e.type, severity, { vehicleId: e.vehicleId, tsMs: e.tsMs, lat: e.lat, lon: e.lon, message: `${e.vehicleId}: ${e.detail}` }));
  }
  return alerts;
}

/** A condition that is over: its open alert lines resolve by themselves, with the fix time it ended. */
export interface AlertClear {
  vehicleId: string;
  type: AlertType;
  fenceId: string | null;
  /** Fix time the condition ended, UTC epoch ms; only lines last seen before it are resolved. */
  tsMs: number;
  /** Why, as the alert's "resolved by" reads: e.g. "back inside Depot North". */
  reason: string;
}

/**
 * Conditions a batch ended: a vehicle back inside a fence it had left; fuel refilled, engine cooled, trouble
 * codes gone. Events that happened (an entry, harsh braking, speeding, a fuel drop) stay until a person
 * resolves them: ending does not undo them.
 */
export function clearsFromEngineOutput(out: EngineOutput, fences: AlertContext['fences']): AlertClear[] {
  const clears: AlertClear[] = [];
  for (const e of out.geofence) {
    if (e.event === 'enter') clears.push({ vehicleId: e.vehicleId, type: 'geofence_exit', fenceId: e.fenceId, tsMs: e.tsMs, reason: `back inside ${fences.get(e.fenceId)?.name ?? e.fenceId}` });
  }
  for (const e of out.cleared) clears.push({ vehicleId: e.vehicleId, type: e.type, fenceId: null, tsMs: e.tsMs, reason: e.detail });
  return clears;
}

export function validateAlertSettings(s: unknown): string | null {
  if (s === null || typeof s !== 'object') return 'alert settings must be an object';
  const x = s as Partial<AlertSettings>;
  if (x.severity === null || typeof x.severity !== 'object') return 'severity must map alert types to info, warning, critical or off';
  for (const [type, sev] of Object.entries(x.severity)) {
    if (!(type in DEFAULT_ALERT_SETTINGS.severity)) return `unknown alert type ${type}`;
    if (!['info', 'warning', 'critical', 'off'].includes(sev as string)) return `${type}: severity must be info, warning, critical or off`;
  }
  for (const k of ['offlineAfterMin', 'escalateAfterMin'] as const) {
    const v = x[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 10_080) return `${k} must be a number of minutes (up to a week)`;
  }
  return null;
}
