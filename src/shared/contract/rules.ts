// Rules: the engine's thresholds, alert severities and driver-score penalties (Settings → Rules and Alerts).
import { AlertSeverity, AlertType, DrivingEventType } from './alerts';
import { method, NoParams, Type, type Static } from './schema';

/** Alert severity per rule; 'off' records nothing as an alert (driving events are still kept for scoring). */
export const RuleSeverity = Type.Union([AlertSeverity, Type.Literal('off')]);
export type RuleSeverity = Static<typeof RuleSeverity>;

export const VehicleClassThresholds = Type.Object({
  harshBrakeMs2: Type.Number(),
  rapidAccelMs2: Type.Number(),
  hardCornerMs2: Type.Number(),
  cornerMinSpeedKmh: Type.Number(),
  speedLimitKmh: Type.Number(),
  speedingMinDurationS: Type.Number(),
  speedingFullSeverityOverKmh: Type.Number(),
  idleMinDurationS: Type.Number(),
  idleFullSeverityOverS: Type.Number(),
});
export type VehicleClassThresholds = Static<typeof VehicleClassThresholds>;

/** The engine's thresholds (Settings → Rules). Ranges are checked by the rules domain, with messages. */
export const EngineConfig = Type.Object({
  /** Threshold sets by vehicle class; "default" applies to every vehicle without a class. */
  classes: Type.Record(Type.String(), Type.Partial(VehicleClassThresholds)),
  vehicleClass: Type.Record(Type.String(), Type.String()),
  lowFuelPct: Type.Number(),
  /** A parked vehicle losing this many percentage points of fuel raises "possible theft". */
  fuelDropPct: Type.Number(),
  coolantMaxC: Type.Number(),
  maxSampleGapS: Type.Number(),
});
export type EngineConfig = Static<typeof EngineConfig>;

/** Alert settings (Settings → Alerts). */
export const AlertSettings = Type.Object({
  severity: Type.Record(AlertType, RuleSeverity),
  /** A vehicle with no report for this long raises "offline". */
  offlineAfterMin: Type.Number(),
  /** Unacknowledged critical alerts escalate after this long. */
  escalateAfterMin: Type.Number(),
});
export type AlertSettings = Static<typeof AlertSettings>;

export const RuleSettings = Type.Object({
  engine: EngineConfig,
  alerts: AlertSettings,
  /** Driver-score penalty per driving event type (× the event's severity). */
  penalties: Type.Record(DrivingEventType, Type.Number()),
});
export type RuleSettings = Static<typeof RuleSettings>;

export const rulesMethods = {
  getRuleSettings: method('viewer', NoParams, RuleSettings),
  /** Alert severities may be partial (the rest keep their defaults); so may penalties. */
  saveRuleSettings: method('supervisor', Type.Object({
      engine: EngineConfig,
      alerts: Type.Object({ severity: Type.Optional(Type.Partial(Type.Record(AlertType, RuleSeverity))), offlineAfterMin: Type.Number(), escalateAfterMin: Type.Number() }),
      penalties: Type.Optional(Type.Partial(Type.Record(DrivingEventType, Type.Number()))),
    }),
    RuleSettings,
  ),
};
