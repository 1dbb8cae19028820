// What the engine's rules can be told: per-fence rules, vehicle-class thresholds, vehicle-health limits.
// Every threshold has a unit in its name; defaults are what a fleet starts with before tuning.
import type { FenceRules } from '../../../shared/contract/fences';
import type { EngineConfig, VehicleClassThresholds } from '../../../shared/contract/rules';
import { validateSchedule } from './schedule';

export type { FenceRules, EngineConfig, VehicleClassThresholds };

export const DEFAULT_CLASS_THRESHOLDS: VehicleClassThresholds = {
  harshBrakeMs2: 3,
  rapidAccelMs2: 3,
  hardCornerMs2: 3.5,
  /** Lateral acceleration is only judged at or above this speed (slow manoeuvres turn sharply). */
  cornerMinSpeedKmh: 20,
  speedLimitKmh: 110,
  speedingMinDurationS: 30,
  /** Severity reaches 1 this far over the limit. */
  speedingFullSeverityOverKmh: 30,
  idleMinDurationS: 300,
  /** Severity reaches 1 after this much idling beyond the threshold. */
  idleFullSeverityOverS: 1800,
};

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  classes: { default: DEFAULT_CLASS_THRESHOLDS },
  vehicleClass: {},
  lowFuelPct: 15,
  fuelDropPct: 10,
  coolantMaxC: 105,
  /** Two fixes further apart than this are not differentiated (no acceleration from a 5-minute gap). */
  maxSampleGapS: 15,
};

/** Thresholds for a vehicle: its class's values, falling back to the default class, then the built-in defaults. */
export function thresholdsFor(config: EngineConfig, vehicleId: string): VehicleClassThresholds {
  const cls = config.vehicleClass[vehicleId];
  return { ...DEFAULT_CLASS_THRESHOLDS, ...config.classes.default, ...(cls ? config.classes[cls] : undefined) };
}

/** 0 at the threshold, 1 at `full`, linear between, clamped. */
export function severityBetween(value: number, threshold: number, full: number): number {
  if (!(full > threshold)) return 1;
  const s = (value - threshold) / (full - threshold);
  return Math.round(Math.min(1, Math.max(0, s)) * 1000) / 1000;
}

const NUMBER_KEYS: (keyof VehicleClassThresholds)[] = Object.keys(DEFAULT_CLASS_THRESHOLDS) as (keyof VehicleClassThresholds)[];

/** Checks a config from the UI or a file; returns a message naming the bad field, or null. */
export function validateEngineConfig(c: unknown): string | null {
  if (c === null || typeof c !== 'object') return 'engine settings must be an object';
  const cfg = c as Partial<EngineConfig>;
  if (cfg.classes === null || typeof cfg.classes !== 'object') return 'classes must be an object of vehicle classes';
  for (const [name, t] of Object.entries(cfg.classes)) {
    if (t === null || typeof t !== 'object') return `class "${name}" must be an object`;
    for (const [k, v] of Object.entries(t)) {
      if (!NUMBER_KEYS.includes(k as keyof VehicleClassThresholds)) return `class "${name}": unknown setting ${k}`;
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return `class "${name}": ${k} must be a positive number`;
    }
  }
  if (cfg.vehicleClass === null || typeof cfg.vehicleClass !== 'object') return 'vehicleClass must map vehicle ids to class names';
  for (const [v, cls] of Object.entries(cfg.vehicleClass)) {
    if (typeof cls !== 'string' || !(cls in cfg.classes)) return `vehicle ${v}: class ${JSON.stringify(cls)} is not defined`;
  }
  for (const k of ['lowFuelPct', 'fuelDropPct', 'coolantMaxC', 'maxSampleGapS'] as const) {
    const v = cfg[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return `${k} must be a positive number`;
  }
  if (cfg.lowFuelPct! >= 100 || cfg.fuelDropPct! >= 100) return 'fuel percentages must be below 100';
  return null;
}

/** Checks a fence's rules; returns a message naming the bad rule, or null. */
export function validateFenceRules(r: unknown): string | null {
  if (r === undefined || r === null) return null;
  if (typeof r !== 'object' || Array.isArray(r)) return 'rules must be an object';
  const x = r as Record<string, unknown>;
  for (const k of Object.keys(x)) {
    if (!['speedLimitKmh', 'schedule', 'entryDelayS', 'dwellAlertMin'].includes(k)) return `unknown rule ${k}`;
  }
  const positive = (k: string, max: number) => {
    const v = x[k];
    if (v === undefined) return null;
    return typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= max ? null : `${k} must be a number between 0 and ${max}`;
  };
  return positive('speedLimitKmh', 300) ?? positive('entryDelayS', 3600) ?? positive('dwellAlertMin', 7 * 24 * 60) ?? (x.schedule === undefined ? null : validateSchedule(x.schedule));
}
