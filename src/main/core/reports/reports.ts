// Report definitions: what each report holds (typed columns and rows, streamed), and for map formats
// its geometry. The writers (writers.ts) turn one of these into CSV, XLSX, PDF, GPX, KML or GeoJSON.
import { buffer, circle, lineString } from '@turf/turf';
import { ALERT_TYPE_TEXT, type AlertType } from '../../../shared/contract/alerts';
import { type Geofence } from '../../../shared/contract/fences';
import { type Stop, type Trip } from '../../../shared/contract/history';
import { EXPORT_FORMATS, REPORT_NAMES, TABLE_ONLY_REPORTS, type ExportFormat, type ReportName, type ReportRequest } from '../../../shared/reports';
import { computeFleetCost } from '../analytics/fleet-cost';
import { checksPerWeekOf, flagForCapacity, latestModel, riskRanking } from '../maintenance/ranking';
import { DEFAULT_PENALTIES, driverScoresFrom, PENALTIES_SETTING_KEY, shiftResolver } from '../analytics/scoring';
import { applyPrivacy, loadSamples } from '../history/history';
import { inIntervals, type PrivacyPolicy } from '../privacy/privacy';
import { DEFAULT_HISTORY_SETTINGS, simplifyIndices, tripsAndStops, type TrackSample } from '../history/track';
import type { Store } from '../storage/store';
import { isValidTimeZone, ZonedTime } from './time';
import { jobsReport } from './jobs-report';

export type ColumnType = 'text' | 'number' | 'time' | 'bool';
export interface Column {
  title: string;
  type: ColumnType;
  /** Decimals shown for numbers (values keep full precision in CSV/XLSX). */
  digits?: number;
  /** Relative width in a printed table. */
  width?: number;
}
export type Cell = string | number | boolean | null;

export type GeoFeature =
  | { kind: 'line'; name: string; description: string; coords: Iterable<[number, number, number | null]>; props: Record<string, Cell> }
  | { kind: 'point'; name: string; description: string; lon: number; lat: number; tsMs: number | null; props: Record<string, Cell> }
  | { kind: 'polygon'; name: string; description: string; rings: number[][][]; props: Record<string, Cell> };

export interface Report {
  name: ReportName;
  title: string;
  columns: Column[];
  /** Rows in order, streamed (a positions report can hold millions). */
  rows(): Iterable<Cell[]>;
  /** Rows the report will have (for progress). */
  rowCount: number;
  /** Map geometry, for GPX/KML/GeoJSON and the PDF's map; undefined = a table-only report. */
  features?(): Iterable<GeoFeature>;
  /**
   * What one row of the report is in a map format: a feature (a trip, a stop, a fence), or a vertex of
   * a track (the positions report: one track per vehicle, one vertex per position). Default: feature.
   */
  geoRowIsVertex?: boolean;
  /** A bar chart for the PDF. */
  chart?: { title: string; labels: string[]; values: number[]; unit: string };
}

export class ReportError extends Error {}

/** The heading of a written report: its period in the chosen zone and the vehicles it covers. */
export function reportMeta(r: ReportRequest, generatedMs: number): { period: string; filters: string; generatedMs: number } {
  const z = new ZonedTime(r.timeZone);
  return {
    period: r.report === 'geofences' ? 'current geofences' : `${z.short(r.fromMs)} to ${z.short(r.toMs)} (${r.timeZone})`,
    filters: r.vehicleIds?.length ? r.vehicleIds.join(', ') : 'all vehicles',
    generatedMs,
  };
}

/** Formats each report can be written as: every report as a table; map formats where it has geometry. */
export function formatsFor(name: ReportName): ExportFormat[] {
  const table: ExportFormat[] = ['csv', 'xlsx', 'pdf'];
  return TABLE_ONLY_REPORTS.includes(name) ? table : [...EXPORT_FORMATS];
}

export function validateReportRequest(r: ReportRequest): void {
  if (!r || !(REPORT_NAMES as readonly string[]).includes(r.report)) throw new ReportError(`unknown report "${r?.report}"; one of: ${REPORT_NAMES.join(', ')}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(r.format)) throw new ReportError(`unknown format "${r.format}"; one of: ${EXPORT_FORMATS.join(', ')}`);
  if (!formatsFor(r.report).includes(r.format)) throw new ReportError(`the ${r.report} report has no map geometry: export it as ${formatsFor(r.report).join(', ')}`);
  if (r.report !== 'geofences') {
    if (!Number.isFinite(r.fromMs) || !Number.isFinite(r.toMs)) throw new ReportError('from and to must be times');
    if (r.toMs <= r.fromMs) throw new ReportError('the period ends before it starts');
  }
  if (r.vehicleIds !== undefined && (!Array.isArray(r.vehicleIds) || r.vehicleIds.some((v) => typeof v !== 'string' || !v))) throw new ReportError('vehicle ids must be text');
  if (typeof r.timeZone !== 'string' || !isValidTimeZone(r.timeZone)) throw new ReportError(`unknown time zone "${r.timeZone}" (use an IANA name such as Europe/London or UTC)`);
}

function vehiclesOf(store: Store, r: ReportRequest): string[] {
  if (r.vehicleIds?.length) return [...r.vehicleIds];
  return store.telemetry.vehicleIds();
}

/** Circles and corridors as polygons, for formats that only know polygons. */
export function fenceRings(f: Geofence): number[][][][] {
  const g = f.geometry;
  if (g.type === 'Polygon') return [g.coordinates];
  if (g.type === 'MultiPolygon') return g.coordinates;
  if (g.type === 'Circle') return [circle(g.center, g.radiusM / 1000, { steps: 64, units: 'kilometers' }).geometry.coordinates];
  const poly = buffer(lineString(g.line), g.widthM / 2, { units: 'meters', steps: 8 });
  if (!poly) return [];
  return poly.geometry.type === 'Polygon' ? [poly.geometry.coordinates] : poly.geometry.coordinates;
}

function lineCoords(samples: readonly TrackSample[], fromMs: number, toMs: number): [number, number, number | null][] {
  const part = samples.filter((s) => s.tsMs >= fromMs && s.tsMs <= toMs);
  return part.map((s) => [s.lon, s.lat, s.tsMs]);
}

/**
 * A report's rows and geometry. `privacy` hides what privacy mode covers (positions, trips, stops,
 * visits, alerts and events of private stretches); null shows everything (no rules, or a supervisor
 * unlocked it). Driver scores are totals without positions and are not filtered.
 */
export function buildReport(store: Store, r: ReportRequest, privacy: PrivacyPolicy | null = null): Report {
  validateReportRequest(r);
  const intervalsCache = new Map<string, [number, number][]>();
  /** Private stretches of one vehicle in the period (computed once per vehicle). */
  const hiddenAt = (vehicleId: string, tsMs: number): boolean => {
    if (!privacy || !privacy.mayAffect(vehicleId)) return false;
    let iv = intervalsCache.get(vehicleId);
    if (!iv) {
      iv = applyPrivacy(vehicleId, loadSamples(store, vehicleId, r.fromMs, r.toMs).samples, privacy).intervals;
      intervalsCache.set(vehicleId, iv);
    }
    return inIntervals(iv, tsMs);
  };
  switch (r.report) {
    case 'positions': {
      const vehicles = vehiclesOf(store, r);
      const count = store.db.prepare(`SELECT count(*) AS n FROM telemetry WHERE vehicle_id = ? AND ts_ms >= ? AND ts_ms < ?`);
      const rowCount = vehicles.reduce((s, v) => s + (count.get(v, r.fromMs, r.toMs) as { n: number }).n, 0);
      const select = `SELECT vehicle_id, ts_ms, lat, lon, speed_kmh, heading_deg, fuel_level_pct, engine_rpm, odometer_km, coolant_temp_c,
                             ignition, driver_id, hdop, satellites, dtc_codes, quality, source
                      FROM telemetry WHERE vehicle_id = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms`;
      return {
        name: 'positions',
        title: 'Raw positions',
        columns: [
          { title: 'Vehicle', type: 'text', width: 1.2 },
          { title: 'Time', type: 'time', width: 2 },
          { title: 'Latitude', type: 'number', digits: 6 },
          { title: 'Longitude', type: 'number', digits: 6 },
          { title: 'Speed km/h', type: 'number', digits: 0 },
          { title: 'Heading °', type: 'number', digits: 0 },
          { title: 'Fuel %', type: 'number', digits: 0 },
          { title: 'RPM', type: 'number', digits: 0 },
          { title: 'Odometer km', type: 'number', digits: 1 },
          { title: 'Coolant °C', type: 'number', digits: 0 },
          { title: 'Ignition', type: 'bool' },
          { title: 'Driver', type: 'text' },
          { title: 'HDOP', type: 'number', digits: 1 },
          { title: 'Satellites', type: 'number', digits: 0 },
          { title: 'DTC', type: 'text' },
          { title: 'Filtered (reason)', type: 'text', width: 1.5 },
          { title: 'Source', type: 'text' },
        ],
        rowCount,
        geoRowIsVertex: true,
        *rows() {
          const stmt = store.db.prepare(select).raw();
          for (const v of vehicles) {
            const check = privacy?.mayAffect(v) ? privacy : null;
            for (const row of stmt.iterate(v, r.fromMs, r.toMs) as IterableIterator<Cell[]>) {
              if (check?.isPrivate(v, row[11] as string | null, row[1] as number)) continue;
              row[10] = row[10] === null ? null : row[10] === 1;
              if (row[14]) row[14] = (JSON.parse(row[14] as string) as string[]).join(' ');
              yield row;
            }
          }
        },
        *features() {
          const stmt = store.db.prepare(`SELECT lon, lat, ts_ms FROM telemetry WHERE vehicle_id = ? AND ts_ms >= ? AND ts_ms < ? AND quality IS NULL ORDER BY ts_ms`).raw();
          for (const v of vehicles) {
            if ((count.get(v, r.fromMs, r.toMs) as { n: number }).n === 0) continue;
            if (privacy?.mayAffect(v)) {
              // privacy: one line per visible stretch, so no line crosses a hidden one
              const withDriver = store.db.prepare(`SELECT lon, lat, ts_ms, driver_id FROM telemetry WHERE vehicle_id = ? AND ts_ms >= ? AND ts_ms < ? AND quality IS NULL ORDER BY ts_ms`).raw();
              let run: [number, number, number][] = [];
              const runs: [number, number, number][][] = [];
              for (const [lon, lat, ts, driver] of withDriver.all(v, r.fromMs, r.toMs) as [number, number, number, string | null][]) {
                if (privacy.isPrivate(v, driver, ts)) {
                  if (run.length) runs.push(run);
                  run = [];
                } else run.push([lon, lat, ts]);
              }
              if (run.length) runs.push(run);
              for (const [i, coords] of runs.entries()) yield { kind: 'line', name: runs.length > 1 ? `${v} (${i + 1})` : v, description: `Track of ${v} (trusted points only; privacy-mode stretches left out)`, coords, props: { vehicle_id: v } };
              continue;
            }
            // lazy: the query runs only when a writer walks the coordinates (one open query at a time)
            const coords = { [Symbol.iterator]: () => stmt.iterate(v, r.fromMs, r.toMs) as IterableIterator<[number, number, number]> };
            yield { kind: 'line', name: v, description: `Track of ${v} (trusted points only)`, coords, props: { vehicle_id: v } };
          }
        },
      };
    }
    case 'trips':
    case 'stops': {
      // one vehicle's samples at a time: a fleet-month of minute points would not fit in memory at once
      const settings = DEFAULT_HISTORY_SETTINGS;
      const per: { vehicleId: string; trips: Trip[]; stops: Stop[] }[] = [];
      for (const v of vehiclesOf(store, r)) {
        const { runs } = applyPrivacy(v, loadSamples(store, v, r.fromMs, r.toMs).samples, privacy);
        const trips: Trip[] = [];
        const stops: Stop[] = [];
        for (const run of runs) {
          const x = tripsAndStops(v, run, settings);
          trips.push(...x.trips);
          stops.push(...x.stops);
        }
        if (trips.length || stops.length) per.push({ vehicleId: v, trips, stops });
      }
      if (r.report === 'trips') {
        const trips = per.flatMap((p) => p.trips);
        const byVehicle = new Map<string, number>();
        for (const t of trips) byVehicle.set(t.vehicleId, (byVehicle.get(t.vehicleId) ?? 0) + t.distanceKm);
        return {
          name: 'trips',
          title: 'Trips',
          columns: [
            { title: 'Vehicle', type: 'text' },
            { title: 'Start', type: 'time', width: 2 },
            { title: 'End', type: 'time', width: 2 },
            { title: 'Duration min', type: 'number', digits: 1 },
            { title: 'Distance km', type: 'number', digits: 2 },
            { title: 'Distance from', type: 'text' },
            { title: 'Max speed km/h', type: 'number', digits: 0 },
            { title: 'Average speed km/h', type: 'number', digits: 0 },
            { title: 'Start lat', type: 'number', digits: 5 },
            { title: 'Start lon', type: 'number', digits: 5 },
            { title: 'End lat', type: 'number', digits: 5 },
            { title: 'End lon', type: 'number', digits: 5 },
          ],
          rowCount: trips.length,
          *rows() {
            for (const t of trips) yield [t.vehicleId, t.startMs, t.endMs, t.durationS / 60, t.distanceKm, t.distanceSource, t.maxSpeedKmh, t.avgSpeedKmh, t.start.lat, t.start.lon, t.end.lat, t.end.lon];
          },
          *features() {
            for (const p of per) {
              if (p.trips.length === 0) continue;
              const { samples } = loadSamples(store, p.vehicleId, r.fromMs, r.toMs); // again, one vehicle at a time
              for (const t of p.trips)
                yield { kind: 'line', name: `${t.vehicleId} trip ${new Date(t.startMs).toISOString()}`, description: `${t.distanceKm.toFixed(1)} km in ${Math.round(t.durationS / 60)} min`, coords: lineCoords(samples, t.startMs, t.endMs), props: { vehicle_id: t.vehicleId, start_ms: t.startMs, end_ms: t.endMs, distance_km: t.distanceKm, max_speed_kmh: t.maxSpeedKmh } };
            }
          },
          chart: { title: 'Distance per vehicle', labels: [...byVehicle.keys()], values: [...byVehicle.values()].map((v) => Math.round(v * 10) / 10), unit: 'km' },
        };
      }
      const stops = per.flatMap((p) => p.stops);
      return {
        name: 'stops',
        title: 'Stops',
        columns: [
          { title: 'Vehicle', type: 'text' },
          { title: 'Start', type: 'time', width: 2 },
          { title: 'End', type: 'time', width: 2 },
          { title: 'Duration min', type: 'number', digits: 1 },
          { title: 'Latitude', type: 'number', digits: 5 },
          { title: 'Longitude', type: 'number', digits: 5 },
        ],
        rowCount: stops.length,
        *rows() {
          for (const s of stops) yield [s.vehicleId, s.startMs, s.endMs, s.durationS / 60, s.lat, s.lon];
        },
        *features() {
          for (const s of stops) yield { kind: 'point', name: `${s.vehicleId} stop`, description: `stopped ${Math.round(s.durationS / 60)} min`, lon: s.lon, lat: s.lat, tsMs: s.startMs, props: { vehicle_id: s.vehicleId, start_ms: s.startMs, end_ms: s.endMs, duration_min: Math.round(s.durationS / 6) / 10 } };
        },
      };
    }
    case 'visits': {
      const wanted = r.vehicleIds?.length ? new Set(r.vehicleIds) : null;
      const visits = store
        .fences.visits(null, r.fromMs, r.toMs)
        .filter((v) => !wanted || wanted.has(v.vehicleId))
        .filter((v) => !hiddenAt(v.vehicleId, v.enterMs) && !(v.exitMs !== null && hiddenAt(v.vehicleId, v.exitMs)));
      return {
        name: 'visits',
        title: 'Geofence visits',
        columns: [
          { title: 'Vehicle', type: 'text' },
          { title: 'Geofence', type: 'text', width: 1.5 },
          { title: 'Entered', type: 'time', width: 2 },
          { title: 'Left', type: 'time', width: 2 },
          { title: 'Duration min', type: 'number', digits: 1 },
        ],
        rowCount: visits.length,
        *rows() {
          for (const v of visits) yield [v.vehicleId, v.fenceName, v.enterMs, v.exitMs, v.durationS === null ? null : v.durationS / 60];
        },
      };
    }
    case 'alerts': {
      const alerts = store
        .alerts.list({ fromMs: r.fromMs, toMs: r.toMs, includeAcknowledged: true, includeSuppressed: true, limit: 1_000_000 })
        .filter((a) => !r.vehicleIds?.length || r.vehicleIds.includes(a.vehicleId))
        .filter((a) => !hiddenAt(a.vehicleId, a.tsMs))
        .reverse();
      const byType = new Map<string, number>();
      for (const a of alerts) byType.set(a.type, (byType.get(a.type) ?? 0) + 1);
      return {
        name: 'alerts',
        title: 'Alerts',
        columns: [
          { title: 'Id', type: 'number', digits: 0, width: 0.6 },
          { title: 'Time', type: 'time', width: 2 },
          { title: 'Vehicle', type: 'text' },
          { title: 'Type', type: 'text', width: 1.2 },
          { title: 'Severity', type: 'text' },
          { title: 'Message', type: 'text', width: 3 },
          { title: 'Geofence', type: 'text' },
          { title: 'Repeats', type: 'number', digits: 0, width: 0.7 },
          { title: 'Acknowledged', type: 'time', width: 2 },
          { title: 'Acknowledged by', type: 'text' },
          { title: 'Minutes to acknowledge', type: 'number', digits: 1 },
          { title: 'Resolved', type: 'time', width: 2 },
          { title: 'Suppressed', type: 'bool', width: 0.8 },
        ],
        rowCount: alerts.length,
        *rows() {
          for (const a of alerts)
            yield [a.id, a.tsMs, a.vehicleId, a.type, a.severity, a.message, a.fenceName, a.repeatCount, a.acknowledgedMs, a.acknowledgedBy, a.acknowledgedMs === null ? null : (a.acknowledgedMs - a.raisedMs) / 60_000, a.resolvedMs, a.suppressed];
        },
        *features() {
          for (const a of alerts) if (a.lat !== null && a.lon !== null) yield { kind: 'point', name: `${a.severity}: ${ALERT_TYPE_TEXT[a.type] ?? a.type} ${a.vehicleId}`, description: a.message, lon: a.lon, lat: a.lat, tsMs: a.tsMs, props: { id: a.id, vehicle_id: a.vehicleId, type: a.type, severity: a.severity } };
        },
        // the app's words for each type, not its codes (geofence_enter, dtc)
        chart: { title: 'Alerts by type', labels: [...byType.keys()].map((t) => ALERT_TYPE_TEXT[t as AlertType] ?? t), values: [...byType.values()], unit: 'alerts' },
      };
    }
    case 'driver-scores': {
      let saved: Record<string, number> = {};
      try {
        saved = JSON.parse(store.settings.get(PENALTIES_SETTING_KEY) ?? '{}') as Record<string, number>;
      } catch {
        // unreadable setting: the defaults, as the Drivers tab does
      }
      const scores = driverScoresFrom(store, r.fromMs, r.toMs, { ...DEFAULT_PENALTIES, ...saved }, shiftResolver(store.drivers.listAssignments()));
      const ranked = [...scores.drivers].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
      return {
        name: 'driver-scores',
        title: 'Driver scores',
        columns: [
          { title: 'Driver', type: 'text' },
          { title: 'Score', type: 'number', digits: 0 },
          { title: 'Note', type: 'text', width: 1.5 },
          { title: 'Distance km', type: 'number', digits: 1 },
          { title: 'Events', type: 'number', digits: 0 },
          { title: 'Events per 100 km', type: 'number', digits: 1 },
          { title: 'Deduction per 100 km', type: 'number', digits: 1 },
          { title: 'Previous score', type: 'number', digits: 0 },
          { title: 'Trend', type: 'number', digits: 0 },
        ],
        rowCount: ranked.length,
        *rows() {
          for (const d of ranked) yield [d.driverId, d.score, d.score === null ? `not enough driving (< ${scores.minKm} km)` : '', d.km, d.events, d.eventsPer100Km, d.deductionPer100Km, d.previousScore, d.trend];
        },
        chart: { title: 'Score per driver', labels: ranked.filter((d) => d.score !== null).map((d) => d.driverId), values: ranked.filter((d) => d.score !== null).map((d) => Math.round(d.score!)), unit: 'points' },
      };
    }
    case 'maintenance-risk': {
      const latest = latestModel(store.db);
      if (!latest) throw new ReportError('no breakdown model has been trained yet: train one in the Maintenance tab first');
      const wanted = r.vehicleIds?.length ? new Set(r.vehicleIds) : null;
      const checks = checksPerWeekOf(store.settings);
      const ranking = flagForCapacity(riskRanking(store.db, latest, r.toMs), checks).filter((x) => !wanted || wanted.has(x.vehicleId));
      return {
        name: 'maintenance-risk',
        title: 'Maintenance risk',
        columns: [
          { title: 'Vehicle', type: 'text' },
          { title: 'Week', type: 'text' },
          { title: 'Breakdown risk (14 days) %', type: 'number', digits: 1 },
          { title: `Check (${checks} a week)`, type: 'bool', width: 0.8 },
          { title: 'Pushed up by', type: 'text', width: 3 },
          { title: 'Not judged: too little data', type: 'text', width: 2 },
          { title: 'Model trained', type: 'time', width: 2 },
        ],
        rowCount: ranking.length,
        *rows() {
          for (const x of ranking)
            yield [x.vehicleId, x.week, x.risk * 100, x.alert, x.drivers.map((d) => `${d.feature} ${d.value === null ? '?' : Math.round(d.value * 10) / 10}`).join('; '), x.dataNote ?? '', latest.info.trainedMs];
        },
        chart: { title: 'Breakdown risk, highest 30', labels: ranking.slice(0, 30).map((x) => x.vehicleId), values: ranking.slice(0, 30).map((x) => Math.round(x.risk * 1000) / 10), unit: '%' },
      };
    }
    case 'fleet-cost': {
      const cost = computeFleetCost(store, r.fromMs, r.toMs, r.vehicleIds);
      const withKm = cost.vehicles.filter((v) => v.costPerKm !== null);
      return {
        name: 'fleet-cost',
        title: 'Fleet cost',
        columns: [
          { title: 'Vehicle', type: 'text' },
          { title: 'km', type: 'number', digits: 0 },
          { title: `Fuel (${cost.currency})`, type: 'number', digits: 2 },
          { title: `Depreciation (${cost.currency})`, type: 'number', digits: 2 },
          { title: `Lease (${cost.currency})`, type: 'number', digits: 2 },
          { title: `Insurance (${cost.currency})`, type: 'number', digits: 2 },
          { title: `Maintenance (${cost.currency})`, type: 'number', digits: 2 },
          { title: `Total (${cost.currency})`, type: 'number', digits: 2 },
          { title: `Cost per km (${cost.currency})`, type: 'number', digits: 3 },
          { title: 'Telemetry coverage %', type: 'number', digits: 1 },
          { title: 'Maintenance share %', type: 'number', digits: 1 },
          { title: 'Replacement candidate', type: 'bool' },
          { title: 'Missing inputs', type: 'text', width: 2 },
        ],
        rowCount: cost.vehicles.length + 1,
        *rows() {
          for (const v of cost.vehicles)
            yield [v.vehicleId, v.km, v.fuelCost, v.depreciation, v.lease, v.insurance, v.maintenance, v.total, v.costPerKm, v.coverage * 100, v.maintenanceRatio === null ? null : v.maintenanceRatio * 100, v.replacementCandidate, v.missing.join('; ')];
          const t = cost.totals;
          yield ['Fleet', t.km, t.fuelCost, t.depreciation, t.lease, t.insurance, t.maintenance, t.total, t.costPerKm, cost.coverage * 100, t.total > 0 ? (t.maintenance / t.total) * 100 : null, null, ''];
        },
        chart: { title: 'Cost per km', labels: withKm.map((v) => v.vehicleId), values: withKm.map((v) => Math.round(v.costPerKm! * 1000) / 1000), unit: '/km' },
      };
    }
    case 'operator-log': {
      // the period's notes, oldest first (the log reads as a shift went)
      const notes = store.notes.list({ fromMs: r.fromMs, toMs: r.toMs, limit: 1_000_000 }).reverse();
      return {
        name: 'operator-log',
        title: 'Operator log',
        columns: [
          { title: 'Time', type: 'time', width: 2 },
          { title: 'Author', type: 'text' },
          { title: 'About', type: 'text' },
          { title: 'Note', type: 'text', width: 4 },
        ],
        rowCount: notes.length,
        *rows() {
          for (const n of notes) yield [n.tsMs, n.author, n.subject === 'shift' ? 'the shift' : `${n.subject} ${n.subjectId ?? ''}`, n.text];
        },
      };
    }
    case 'jobs':
      return jobsReport(store, r, hiddenAt);
    case 'geofences': {
      const fences = store.fences.list();
      return {
        name: 'geofences',
        title: 'Geofences',
        columns: [
          { title: 'Id', type: 'text' },
          { title: 'Name', type: 'text', width: 1.5 },
          { title: 'Category', type: 'text' },
          { title: 'Shape', type: 'text' },
          { title: 'Speed limit km/h', type: 'number', digits: 0 },
          { title: 'Dwell alert min', type: 'number', digits: 0 },
          { title: 'Entry delay s', type: 'number', digits: 0 },
        ],
        rowCount: fences.length,
        *rows() {
          for (const f of fences) yield [f.id, f.name, f.category, f.geometry.type, f.rules.speedLimitKmh ?? null, f.rules.dwellAlertMin ?? null, f.rules.entryDelayS ?? null];
        },
        *features() {
          for (const f of fences)
            for (const rings of fenceRings(f))
              yield { kind: 'polygon', name: f.name, description: `${f.category}${f.rules.speedLimitKmh ? `, limit ${f.rules.speedLimitKmh} km/h` : ''}`, rings, props: { id: f.id, category: f.category, color: f.color, shape: f.geometry.type } };
        },
      };
    }
  }
}

/** A few thousand vertices per line at most, for the PDF's map. */
export function simplifiedForMap(coords: [number, number, number | null][], maxVertices = 2000): [number, number][] {
  if (coords.length <= maxVertices) return coords.map((c) => [c[0], c[1]]);
  const lat = Float64Array.from(coords, (c) => c[1]);
  const lon = Float64Array.from(coords, (c) => c[0]);
  let tol = 5;
  let keep = simplifyIndices(lat, lon, tol);
  while (keep.length > maxVertices && tol < 100_000) keep = simplifyIndices(lat, lon, (tol *= 3));
  return Array.from(keep, (i) => [coords[i]![0], coords[i]![1]]);
}
