// Driving events from telemetry alone (the devices send no accelerometer events): speed change over
// time gives braking and acceleration, heading change at speed gives cornering, and speed against a
// limit or engine-on-while-stopped over time gives speeding and idling.
import type { DrivingEventType } from '../../../shared/contract/alerts';
import type { EngineConfig, VehicleClassThresholds } from '../../../shared/contract/rules';
import { severityBetween, thresholdsFor } from './config';

/** One trusted fix as the rules see it; unknown values are null. */
export interface RuleInput {
  vehicleId: string;
  tsMs: number;
  lon: number;
  lat: number;
  speedKmh: number | null;
  headingDeg: number | null;
  ignition: boolean | null;
  engineRpm: number | null;
  fuelLevelPct: number | null;
  coolantTempC: number | null;
  dtcCodes: readonly string[] | null;
  driverId: string | null;
}

export interface DrivingEventOut {
  type: DrivingEventType;
  vehicleId: string;
  driverId: string | null;
  /** Fix time when it was detected. */
  tsMs: number;
  startMs: number;
  severity: number;
  value: number;
  threshold: number;
  lon: number;
  lat: number;
  /** Index of the detecting fix in its batch. */
  index: number;
}

interface Episode {
  startMs: number;
  peak: number;
  threshold: number;
  lon: number;
  lat: number;
  emitted: boolean;
}

/** One vehicle's driving state (see DrivingDetector.vehicle). */
export interface DriverState {
  /** Its class thresholds under the config of generation `thresholdsGen`. */
  thresholds: VehicleClassThresholds | null;
  thresholdsGen: number;
  prev: RuleInput | null;
  brake: Episode | null;
  accel: Episode | null;
  corner: Episode | null;
  speeding: Episode | null;
  idle: Episode | null;
}

const IDLE_SPEED_KMH = 3;

/** Smallest signed difference between two headings, degrees (−180, 180]. */
export function headingDeltaDeg(fromDeg: number, toDeg: number): number {
  let d = (toDeg - fromDeg) % 360;
  if (d > 180) d -= 360;
  if (d <= -180) d += 360;
  return d;
}

export class DrivingDetector {
  private readonly state = new Map<string, DriverState>();
  /** Bumped by setConfig: cached class thresholds of an older generation are looked up again. */
  private configGen = 0;

  constructor(private config: EngineConfig) {}

  setConfig(config: EngineConfig): void {
    this.config = config;
    this.configGen++;
  }

  /** The vehicle's state, created on first use (callers holding it skip the lookup in push). */
  vehicle(vehicleId: string): DriverState {
    let s = this.state.get(vehicleId);
    if (!s) {
      s = { thresholds: null, thresholdsGen: -1, prev: null, brake: null, accel: null, corner: null, speeding: null, idle: null };
      this.state.set(vehicleId, s);
    }
    return s;
  }

  /**
   * Feeds one fix (in time order per vehicle) and returns the events it completes. `limitKmh` is the
   * fence speed limit in force here, or null for the vehicle class limit.
   */
  push(p: RuleInput, index: number, fenceLimitKmh: number | null, out: DrivingEventOut[] = [], s: DriverState = this.vehicle(p.vehicleId)): DrivingEventOut[] {
    if (s.thresholdsGen !== this.configGen) {
      s.thresholds = thresholdsFor(this.config, p.vehicleId);
      s.thresholdsGen = this.configGen;
    }
    const t = s.thresholds!;
    const prev = s.prev;
    const dtS = prev ? (p.tsMs - prev.tsMs) / 1000 : Infinity;
    const gap = !(dtS > 0 && dtS <= this.config.maxSampleGapS);
    if (prev && dtS <= 0) return out; // same instant again: nothing to differentiate
    if (gap && prev) {
      // a long gap ends every episode at the last fix before it
      this.close(s, 'brake', prev, index, out, t);
      this.close(s, 'accel', prev, index, out, t);
      this.close(s, 'corner', prev, index, out, t);
      s.speeding = null;
      this.close(s, 'idle', prev, index, out, t);
    }

    // Longitudinal acceleration and cornering need two close fixes with speeds.
    if (!gap && prev && p.speedKmh !== null && prev.speedKmh !== null) {
      const aMs2 = (p.speedKmh - prev.speedKmh) / 3.6 / dtS;
      this.track(s, 'brake', -aMs2, t.harshBrakeMs2, p, index, out, t);
      this.track(s, 'accel', aMs2, t.rapidAccelMs2, p, index, out, t);
      let lateral = 0;
      if (p.headingDeg !== null && prev.headingDeg !== null && Math.min(p.speedKmh, prev.speedKmh) >= t.cornerMinSpeedKmh) {
        const omegaRadS = (Math.abs(headingDeltaDeg(prev.headingDeg, p.headingDeg)) * Math.PI) / 180 / dtS;
        lateral = ((p.speedKmh + prev.speedKmh) / 2 / 3.6) * omegaRadS;
      }
      this.track(s, 'corner', lateral, t.hardCornerMs2, p, index, out, t);
    }

    // Speeding: over the limit for longer than the minimum duration, reported once per episode.
    const limit = fenceLimitKmh ?? t.speedLimitKmh;
    if (p.speedKmh !== null && p.speedKmh > limit) {
      if (!s.speeding || s.speeding.threshold !== limit) s.speeding = { startMs: p.tsMs, peak: p.speedKmh, threshold: limit, lon: p.lon, lat: p.lat, emitted: false };
      const e = s.speeding;
      e.peak = Math.max(e.peak, p.speedKmh);
      if (!e.emitted && p.tsMs - e.startMs >= t.speedingMinDurationS * 1000) {
        e.emitted = true;
        out.push(this.event('speeding', p, index, e, severityBetween(e.peak, limit, limit + t.speedingFullSeverityOverKmh)));
      }
    } else if (p.speedKmh !== null) {
      s.speeding = null;
    }

    // Idling: engine on (ignition, or rpm when ignition is unknown) while stopped.
    const engineOn = p.ignition ?? (p.engineRpm !== null ? p.engineRpm > 0 : null);
    if (engineOn === true && p.speedKmh !== null && p.speedKmh < IDLE_SPEED_KMH) {
      if (!s.idle) s.idle = { startMs: p.tsMs, peak: 0, threshold: t.idleMinDurationS, lon: p.lon, lat: p.lat, emitted: false };
      s.idle.peak = (p.tsMs - s.idle.startMs) / 1000;
    } else if (engineOn === false || (p.speedKmh !== null && p.speedKmh >= IDLE_SPEED_KMH)) {
      this.close(s, 'idle', p, index, out, t);
    }

    s.prev = p;
    return out;
  }

  /** A value above its threshold opens or extends an episode; back below, the episode ends and fires with its peak. */
  private track(s: DriverState, kind: 'brake' | 'accel' | 'corner', value: number, threshold: number, p: RuleInput, index: number, out: DrivingEventOut[], t: VehicleClassThresholds): void {
    if (value > threshold) {
      const e = s[kind];
      if (e) e.peak = Math.max(e.peak, value);
      else s[kind] = { startMs: s.prev?.tsMs ?? p.tsMs, peak: value, threshold, lon: p.lon, lat: p.lat, emitted: false };
    } else {
      this.close(s, kind, p, index, out, t);
    }
  }

  private close(s: DriverState, kind: 'brake' | 'accel' | 'corner' | 'idle', p: RuleInput, index: number, out: DrivingEventOut[], t: VehicleClassThresholds): void {
    const e = s[kind];
    if (!e) return;
    s[kind] = null;
    const r = (x: number) => Math.round(x * 100) / 100;
    if (kind === 'idle') {
      if (e.peak <= t.idleMinDurationS) return;
      out.push({ ...this.event('excessive_idle', p, index, e, severityBetween(e.peak, t.idleMinDurationS, t.idleMinDurationS + t.idleFullSeverityOverS)), value: Math.round(e.peak) });
      return;
    }
    const type = kind === 'brake' ? 'harsh_brake' : kind === 'accel' ? 'rapid_accel' : 'hard_corner';
    out.push({ ...this.event(type, p, index, e, severityBetween(e.peak, e.threshold, 2 * e.threshold)), value: r(e.peak) });
  }

  private event(type: DrivingEventType, p: RuleInput, index: number, e: Episode, severity: number): DrivingEventOut {
    return { type, vehicleId: p.vehicleId, driverId: p.driverId, tsMs: p.tsMs, startMs: e.startMs, severity, value: e.peak, threshold: e.threshold, lon: e.lon, lat: e.lat, index };
  }
}
