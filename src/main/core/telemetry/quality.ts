// GPS drift and clock filter: flags (never drops) points a dispatcher should not trust for geofences,
// alerts or distance. A flagged point is stored with its reasons and shown in history.
import type { TelemetryPoint } from '../../../shared/contract/vehicles';
import { distanceM } from '../geo/distance';

export interface QualityThresholds {
  /** Fixes with a higher horizontal dilution of precision are flagged. */
  maxHdop: number; // default 5 (≥ 5 is a "moderate" fix at best)
  /** Fixes with fewer satellites are flagged. */
  minSatellites: number; // default 4 (a 3-D fix needs 4)
  /** A jump from the last trusted fix implying more than this speed is flagged. */
  maxImpliedSpeedKmh: number; // default 250
  /** Fix times further in the future than this (device clock wrong) are flagged. */
  futureToleranceMs: number; // default 5 min
  /** Fix times older than this when received are flagged as implausibly old. */
  maxAgeMs: number; // default 30 days
}

export const DEFAULT_QUALITY: QualityThresholds = {
  maxHdop: 5,
  minSatellites: 4,
  maxImpliedSpeedKmh: 250,
  futureToleranceMs: 5 * 60_000,
  maxAgeMs: 30 * 24 * 3_600_000,
};

/** Short codes of why a point is not trusted; stored comma-separated in `telemetry.quality`. */
export type QualityFlag = 'high_hdop' | 'few_satellites' | 'zero_position' | 'jump' | 'future_time' | 'old_time';

export const QUALITY_FLAG_TEXT: Record<QualityFlag, string> = {
  high_hdop: 'poor GPS precision (high HDOP)',
  few_satellites: 'too few satellites',
  zero_position: 'position 0,0 (no fix)',
  jump: 'impossible jump from the previous fix',
  future_time: 'fix time in the future (device clock wrong)',
  old_time: 'fix time implausibly old',
};

interface LastGood {
  tsMs: number;
  lat: number;
  lon: number;
}

export class QualityFilter {
  private readonly lastGood = new Map<string, LastGood>();

  constructor(private readonly t: QualityThresholds = DEFAULT_QUALITY) {}

  /** Seeds the last trusted fix per vehicle (after a restart) so jumps are caught from the first point. */
  seed(points: Iterable<TelemetryPoint>): void {
    for (const p of points) this.lastGood.set(p.vehicleId, { tsMs: p.tsMs, lat: p.lat, lon: p.lon });
  }

  /** Flags for one point, given when it was received; updates the trusted track when it has none. */
  check(p: TelemetryPoint, receivedMs: number): QualityFlag[] {
    const flags: QualityFlag[] = [];
    if (p.lat === 0 && p.lon === 0) flags.push('zero_position');
    if (p.hdop !== null && p.hdop > this.t.maxHdop) flags.push('high_hdop');
    if (p.satellites !== null && p.satellites < this.t.minSatellites) flags.push('few_satellites');
    if (p.tsMs > receivedMs + this.t.futureToleranceMs) flags.push('future_time');
    if (p.tsMs < receivedMs - this.t.maxAgeMs) flags.push('old_time');
    const last = this.lastGood.get(p.vehicleId);
    if (last && flags.length === 0) {
      const dtS = Math.abs(p.tsMs - last.tsMs) / 1000;
      const d = distanceM(last, p);
      // Below 1 s apart, judge by distance alone: a 70 m hop is 250 km/h for a whole second.
      const impliedKmh = (d / Math.max(dtS, 1)) * 3.6;
      if (impliedKmh > this.t.maxImpliedSpeedKmh) flags.push('jump');
    }
    if (flags.length === 0) {
      if (!last) this.lastGood.set(p.vehicleId, { tsMs: p.tsMs, lat: p.lat, lon: p.lon });
      else if (p.tsMs >= last.tsMs) {
        last.tsMs = p.tsMs; // in place: no new object per fix
        last.lat = p.lat;
        last.lon = p.lon;
      }
    }
    return flags;
  }
}
