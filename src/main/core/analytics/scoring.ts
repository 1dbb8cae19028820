// Driver scores: deduction = Σ penalty(type) × severity over the period's driving events, per 100 km
// driven; score = max(0, 100 − deduction per 100 km). Too little driving gives no score, not 100.
import type { DrivingEventType } from '../../../shared/contract/alerts';
import type { DriverScore, DriverScores, DrivingEvent } from '../../../shared/contract/drivers';
import { haversineM } from '../geo/distance';

export type Penalties = Partial<Record<DrivingEventType, number>>;
export const DEFAULT_PENALTIES: Record<DrivingEventType, number> = { harsh_brake: 3, rapid_accel: 2, speeding: 5, excessive_idle: 1, hard_corner: 2 };
/** Below this distance a score means nothing (one harsh brake in 300 m would be −1000 per 100 km). */
export const MIN_SCORING_KM = 5;
/** Where the edited penalties are kept in the settings table. */
export const PENALTIES_SETTING_KEY = 'scoring.penalties';
const OTHER_PENALTY = 1;

export function penaltyOf(penalties: Penalties, type: string): number {
  return penalties[type as DrivingEventType] ?? DEFAULT_PENALTIES[type as DrivingEventType] ?? OTHER_PENALTY;
}

/** One driver's score from their events and distance; null when there was not enough driving. */
export function scoreOf(events: readonly { type: string; severity: number }[], km: number, penalties: Penalties = DEFAULT_PENALTIES): { score: number | null; deductionPer100Km: number | null } {
  if (!(km >= MIN_SCORING_KM)) return { score: null, deductionPer100Km: null };
  const deduction = events.reduce((sum, e) => sum + penaltyOf(penalties, e.type) * e.severity, 0);
  const per100 = (deduction / km) * 100;
  return { score: Math.round(Math.max(0, 100 - per100) * 10) / 10, deductionPer100Km: Math.round(per100 * 100) / 100 };
}

/** Scores for every driver with distance or events in the period, best first; unscored last. */
export function scoreDrivers(
  events: readonly { type: DrivingEventType; severity: number; driverId: string | null }[],
  kmByDriver: ReadonlyMap<string, number>,
  penalties: Penalties,
  previous?: { events: readonly { type: DrivingEventType; severity: number; driverId: string | null }[]; kmByDriver: ReadonlyMap<string, number> },
): DriverScore[] {
  const byDriver = new Map<string, { type: DrivingEventType; severity: number }[]>();
  for (const e of events) if (e.driverId) (byDriver.get(e.driverId) ?? byDriver.set(e.driverId, []).get(e.driverId)!).push(e);
  const prevByDriver = new Map<string, { type: DrivingEventType; severity: number }[]>();
  for (const e of previous?.events ?? []) if (e.driverId) (prevByDriver.get(e.driverId) ?? prevByDriver.set(e.driverId, []).get(e.driverId)!).push(e);
  const ids = new Set([...byDriver.keys(), ...kmByDriver.keys()]);
  const out: DriverScore[] = [];
  for (const driverId of ids) {
    const evs = byDriver.get(driverId) ?? [];
    const km = kmByDriver.get(driverId) ?? 0;
    const { score, deductionPer100Km } = scoreOf(evs, km, penalties);
    const prev = previous ? scoreOf(prevByDriver.get(driverId) ?? [], previous.kmByDriver.get(driverId) ?? 0, penalties).score : null;
    const eventsByType: Partial<Record<DrivingEventType, number>> = {};
    // the score explained: Σ penalty × severity per type, before it is put per 100 km
    const deductionByType: Partial<Record<DrivingEventType, number>> = {};
    for (const e of evs) {
      eventsByType[e.type] = (eventsByType[e.type] ?? 0) + 1;
      deductionByType[e.type] = Math.round(((deductionByType[e.type] ?? 0) + penaltyOf(penalties, e.type) * e.severity) * 100) / 100;
    }
    out.push({
      driverId,
      km: Math.round(km * 10) / 10,
      events: evs.length,
      eventsByType,
      deductionByType,
      eventsPer100Km: km >= MIN_SCORING_KM ? Math.round((evs.length / km) * 1000) / 10 : null,
      deductionPer100Km,
      score,
      previousScore: prev,
      trend: score !== null && prev !== null ? Math.round((score - prev) * 10) / 10 : null,
    });
  }
  return out.sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.driverId.localeCompare(b.driverId));
}

/** Odometer readings are trusted when they go forward no faster than this. */
const MAX_PLAUSIBLE_KMH = 250;

/**
 * Distance per driver from time-ordered trusted fixes of each vehicle: the odometer difference where
 * it is valid (present, not going backwards, not faster than a vehicle can drive), else the GPS
 * distance between the fixes. A leg counts for the driver of its later fix.
 */
export class DistanceAccumulator {
  readonly kmByDriver = new Map<string, number>();
  readonly kmByVehicle = new Map<string, number>();
  private prev: { vehicleId: string; tsMs: number; lat: number; lon: number; odometerKm: number | null } | null = null;

  add(p: { vehicleId: string; tsMs: number; lat: number; lon: number; odometerKm: number | null; driverId: string | null }): void {
    const q = this.prev;
    this.prev = p;
    if (!q || q.vehicleId !== p.vehicleId || p.tsMs <= q.tsMs) return;
    const hours = (p.tsMs - q.tsMs) / 3_600_000;
    const odo = p.odometerKm !== null && q.odometerKm !== null ? p.odometerKm - q.odometerKm : null;
    const km = odo !== null && odo >= 0 && odo <= MAX_PLAUSIBLE_KMH * hours + 0.05 ? odo : haversineM(q.lon, q.lat, p.lon, p.lat) / 1000;
    this.kmByVehicle.set(p.vehicleId, (this.kmByVehicle.get(p.vehicleId) ?? 0) + km);
    if (p.driverId) this.kmByDriver.set(p.driverId, (this.kmByDriver.get(p.driverId) ?? 0) + km);
  }
}

export type DriverResolver = (vehicleId: string, tsMs: number) => string | null;

/** A resolver from shift assignments (vehicle, driver, start, end or open). */
export function shiftResolver(assignments: readonly { vehicleId: string; driverId: string; startMs: number; endMs: number | null }[]): DriverResolver {
  const byVehicle = new Map<string, typeof assignments[number][]>();
  for (const a of assignments) byVehicle.set(a.vehicleId, [...(byVehicle.get(a.vehicleId) ?? []), a]);
  return (vehicleId, tsMs) => byVehicle.get(vehicleId)?.find((a) => tsMs >= a.startMs && (a.endMs === null || tsMs < a.endMs))?.driverId ?? null;
}

/** Driver scores for a period from what the store holds, with the period before it for the trend. */
export function driverScoresFrom(
  store: {
    telemetry: { trustedFixes(fromMs: number, toMs: number): Iterable<{ vehicleId: string; tsMs: number; lat: number; lon: number; odometerKm: number | null; driverId: string | null }> };
    drivers: { listEvents(q: { fromMs: number; toMs: number; limit?: number }): DrivingEvent[] };
  },
  fromMs: number,
  toMs: number,
  penalties: Record<DrivingEventType, number>,
  /** The driver on shift in a vehicle at a time, for telemetry and events that name none. */
  onShift: DriverResolver = () => null,
): DriverScores {
  const lengthMs = toMs - fromMs;
  const period = (a: number, b: number) => {
    const dist = new DistanceAccumulator();
    for (const f of store.telemetry.trustedFixes(a, b)) dist.add(f.driverId ? f : { ...f, driverId: onShift(f.vehicleId, f.tsMs) });
    const events = store.drivers.listEvents({ fromMs: a, toMs: b, limit: 1_000_000 }).map((e) => (e.driverId ? e : { ...e, driverId: onShift(e.vehicleId, e.tsMs) }));
    return { events, kmByDriver: dist.kmByDriver };
  };
  const current = period(fromMs, toMs);
  return { fromMs, toMs, penalties, minKm: MIN_SCORING_KM, drivers: scoreDrivers(current.events, current.kmByDriver, penalties, period(fromMs - lengthMs, fromMs)) };
}
