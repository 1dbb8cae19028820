// Alerts: the queue a dispatcher works through, snoozes and mutes.
import { method, NoParams, Nullable, StringEnum, Type, type Static } from './schema';
import { VehicleId } from './vehicles';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export const AlertSeverity = StringEnum(ALERT_SEVERITIES);
export type AlertSeverity = Static<typeof AlertSeverity>;

export const DRIVING_EVENT_TYPES = ['harsh_brake', 'rapid_accel', 'hard_corner', 'speeding', 'excessive_idle'] as const;
export const DrivingEventType = StringEnum(DRIVING_EVENT_TYPES);
export type DrivingEventType = Static<typeof DrivingEventType>;
export type HealthAlertType = 'dtc' | 'low_fuel' | 'fuel_drop' | 'coolant_high' | 'offline';

export const ALERT_TYPES = [
  'geofence_enter',
  'geofence_exit',
  'geofence_dwell',
  'speeding',
  'harsh_brake',
  'rapid_accel',
  'hard_corner',
  'excessive_idle',
  'dtc',
  'low_fuel',
  'fuel_drop',
  'coolant_high',
  'offline',
  'job_late',
  'job_missed',
  'job_no_answer',
] as const;
export const AlertType = StringEnum(ALERT_TYPES);
export type AlertType = Static<typeof AlertType>;

/** Alert types as a dispatcher reads them. */
export const ALERT_TYPE_TEXT: Record<AlertType, string> = {
  geofence_enter: 'Fence entered',
  geofence_exit: 'Fence left',
  geofence_dwell: 'Dwell in fence',
  speeding: 'Speeding',
  harsh_brake: 'Harsh braking',
  rapid_accel: 'Rapid acceleration',
  hard_corner: 'Hard cornering',
  excessive_idle: 'Excessive idling',
  dtc: 'Trouble code',
  low_fuel: 'Low fuel',
  fuel_drop: 'Fuel drop (parked)',
  coolant_high: 'Coolant over-temperature',
  offline: 'Offline',
  job_late: 'Job running late',
  job_missed: 'Job window missed',
  job_no_answer: 'Job not answered',
};

export const Alert = Type.Object({
  id: Type.Integer(),
  type: AlertType,
  severity: AlertSeverity,
  vehicleId: Type.String(),
  fenceId: Nullable(Type.String()),
  fenceName: Nullable(Type.String()),
  /** Time of the telemetry that caused the alert, UTC epoch ms. */
  tsMs: Type.Number(),
  /** Wall-clock time FleetDesk raised it, UTC epoch ms. */
  raisedMs: Type.Number(),
  message: Type.String(),
  lat: Nullable(Type.Number()),
  lon: Nullable(Type.Number()),
  acknowledgedMs: Nullable(Type.Number()),
  acknowledgedBy: Nullable(Type.String()),
  /** How many times this (vehicle, type, fence) fired while the alert stayed open; 1 = once. */
  repeatCount: Type.Integer(),
  /** Telemetry time of the latest repeat, UTC epoch ms. */
  lastSeenMs: Type.Number(),
  resolvedMs: Nullable(Type.Number()),
  resolvedBy: Nullable(Type.String()),
  /** Recorded while a snooze or mute covered it: kept, but not counted or pushed to the dispatcher's attention. */
  suppressed: Type.Boolean(),
  /** When an unacknowledged critical alert escalated, UTC epoch ms. */
  escalatedMs: Nullable(Type.Number()),
  /** Notes given with acknowledgements and resolves, one per line, oldest first. */
  note: Nullable(Type.String()),
  /** For a line FleetDesk resolved because its condition ended (back inside, refuelled, …): the fix time it ended. */
  clearedMs: Nullable(Type.Number()),
  /** Who is handling the line (a claim), and since when. */
  claimedBy: Nullable(Type.String()),
  claimedMs: Nullable(Type.Number()),
  /** At headquarters: the depot that raised it and owns it (null: this FleetDesk's own). */
  depotId: Nullable(Type.String()),
});
export type Alert = Static<typeof Alert>;

export const AlertQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  includeAcknowledged: Type.Optional(Type.Boolean()),
  includeSuppressed: Type.Optional(Type.Boolean()),
  severity: Type.Optional(Type.Array(AlertSeverity)),
  types: Type.Optional(Type.Array(AlertType)),
  vehicleId: Type.Optional(Type.String({ maxLength: 64 })),
  /** Telemetry time range, UTC epoch ms. */
  fromMs: Type.Optional(Type.Number()),
  toMs: Type.Optional(Type.Number()),
  sort: Type.Optional(StringEnum(['time', 'severity'] as const)),
});
export type AlertQuery = Static<typeof AlertQuery>;

const SuppressionKind = StringEnum(['snooze', 'mute'] as const);

/** A dispatcher's snooze (short, e.g. 1 h) or mute (a known ongoing issue, with a reason) of one vehicle's alerts. */
export const Suppression = Type.Object({
  id: Type.Integer(),
  kind: SuppressionKind,
  vehicleId: Type.String(),
  /** null = every alert type of the vehicle. */
  type: Nullable(AlertType),
  untilMs: Type.Number(),
  reason: Type.String(),
  createdBy: Type.String(),
  createdMs: Type.Number(),
});
export type Suppression = Static<typeof Suppression>;

export const SuppressionInput = Type.Object({
  kind: SuppressionKind,
  vehicleId: VehicleId,
  type: Nullable(AlertType),
  durationMin: Type.Number(),
  reason: Type.Optional(Type.String()),
  by: Type.Optional(Type.String()),
});
export type SuppressionInput = Static<typeof SuppressionInput>;

const Note = Type.Optional(Type.String({ maxLength: 500 }));
/** true: act on a line another dispatcher is handling (the screen asked its user first). */
const Override = Type.Optional(Type.Boolean());
const AlertAction = Type.Object({ alertId: Type.Integer(), note: Note, by: Type.Optional(Type.String()), override: Override });
/** Several lines at once (a group, or a selection), with one note. */
const AlertsAction = Type.Object({ alertIds: Type.Array(Type.Integer(), { minItems: 1, maxItems: 5000 }), note: Note, by: Type.Optional(Type.String()), override: Override });

export const alertsMethods = {
  listAlerts: method('viewer', AlertQuery, Type.Array(Alert)),
  acknowledgeAlert: method('dispatcher', AlertAction, Alert),
  /** The condition is over (acknowledges it too if nobody had). */
  resolveAlert: method('dispatcher', AlertAction, Alert),
  acknowledgeAlerts: method('dispatcher', AlertsAction, Type.Array(Alert)),
  resolveAlerts: method('dispatcher', AlertsAction, Type.Array(Alert)),
  /** Takes a line: everyone sees who handles it; another dispatcher acting on it is asked first. */
  claimAlert: method('dispatcher', Type.Object({ alertId: Type.Integer(), by: Type.Optional(Type.String()), override: Override }), Alert),
  /** Gives a line back (also: resolving it, signing out). */
  releaseAlert: method('dispatcher', Type.Object({ alertId: Type.Integer() }), Alert),
  /** Snooze or mute one vehicle's alerts (of one type, or all); suppressed alerts are still recorded. */
  suppress: method('dispatcher', SuppressionInput, Suppression),
  listSuppressions: method('viewer', NoParams, Type.Array(Suppression)),
  endSuppression: method('dispatcher', Type.Object({ id: Type.Integer() }), Type.Object({ ended: Type.Boolean() })),
};

export const alertsEvents = {
  alertRaised: Alert,
  alertUpdated: Alert,
};
