// A small, known fleet history in a real SQLite file: two vans, drives and stops, a drift-flagged point,
// a geofence visit, alerts (one acknowledged, one with a comma and quotes in its text) and driving events.
import path from 'node:path';
import type { TelemetryPoint } from '../src/shared/contract/vehicles';
import { Store, type IncomingPoint } from '../src/main/core/storage/store';
import { tempDir } from './helpers';

/** 2026-11-02 08:00 UTC = 08:00 in London (GMT), 09:00 in Paris. */
export const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
const LAT = 52.48;
const M_PER_DEG_LON = 111_195 * Math.cos((LAT * Math.PI) / 180);

function pt(over: Partial<TelemetryPoint>): TelemetryPoint {
  return {
    vehicleId: 'VAN-1',
    tsMs: T0,
    lat: LAT,
    lon: -1.9,
    speedKmh: 36,
    headingDeg: 90,
    fuelLevelPct: 60,
    engineRpm: 1800,
    odometerKm: null,
    dtcCodes: [],
    hdop: 0.9,
    satellites: 9,
    coolantTempC: 88,
    ignition: true,
    driverId: 'DRV-ANA',
    ...over,
  };
}

/**
 * VAN-1: 10 min east at 36 km/h (6 km), parked 10 min, 10 min east again (5.9 km); one report every 10 s.
 * VAN-2: 10 min north at 72 km/h, driver DRV-BEN. Plus one drift-flagged jump of VAN-1.
 */
export function buildReportDb(): { file: string; store: Store } {
  const file = path.join(tempDir(), 'report.sqlite');
  const store = new Store(file);
  const pts: IncomingPoint[] = [];
  let x = 0;
  for (let s = 0; s < 1800; s += 10) {
    const moving = s < 600 || s >= 1200;
    pts.push({ point: pt({ tsMs: T0 + s * 1000, lon: -1.9 + x / M_PER_DEG_LON, speedKmh: moving ? 36 : 0, odometerKm: 1000 + x / 1000 }), flags: [], source: 'mqtt' });
    if (moving) x += 100;
  }
  for (let s = 0; s < 600; s += 10) {
    pts.push({ point: pt({ vehicleId: 'VAN-2', driverId: 'DRV-BEN', tsMs: T0 + s * 1000, lat: LAT + (s * 20) / 111_195, lon: -1.85, speedKmh: 72, headingDeg: 0 }), flags: [], source: 'osmand' });
  }
  pts.push({ point: pt({ tsMs: T0 + 605_000, lat: 53.9, lon: -1.9, speedKmh: 0 }), flags: ['jump'], source: 'mqtt' });
  store.telemetry.writeBatch(pts, [], T0 + 1_800_000);
  store.fences.upsert({
    id: 'depot',
    name: 'Depot "North", Gate 2',
    category: 'depot',
    color: '#42a5f5',
    geometry: { type: 'Circle', center: [-1.9 + 6000 / M_PER_DEG_LON, LAT], radiusM: 150 },
    rules: { speedLimitKmh: 20 },
    createdMs: T0,
    updatedMs: T0,
  });
  store.fences.upsert({
    id: 'yard',
    name: 'Yard',
    category: 'customer',
    color: '#66bb6a',
    geometry: { type: 'Polygon', coordinates: [[[-1.86, 52.48], [-1.84, 52.48], [-1.84, 52.49], [-1.86, 52.49], [-1.86, 52.48]]] },
    rules: {},
    createdMs: T0,
    updatedMs: T0,
  });
  const out = store.recordEngineOutput({
    alerts: [
      { type: 'geofence_enter', severity: 'info', vehicleId: 'VAN-1', fenceId: 'depot', fenceName: 'Depot "North", Gate 2', tsMs: T0 + 600_000, raisedMs: T0 + 601_000, message: 'VAN-1 entered Depot "North", Gate 2', lat: LAT, lon: -1.9 + 6000 / M_PER_DEG_LON, suppressed: false },
      { type: 'speeding', severity: 'warning', vehicleId: 'VAN-2', fenceId: null, fenceName: null, tsMs: T0 + 300_000, raisedMs: T0 + 301_000, message: 'VAN-2 at 72 km/h over 50 km/h', lat: LAT + 0.05, lon: -1.85, suppressed: false },
    ],
    fenceEvents: [
      { vehicleId: 'VAN-1', fenceId: 'depot', event: 'enter', tsMs: T0 + 600_000, sinceMs: T0 + 600_000 },
      { vehicleId: 'VAN-1', fenceId: 'depot', event: 'exit', tsMs: T0 + 1_210_000, sinceMs: T0 + 600_000 },
    ],
    drivingEvents: [
      { type: 'speeding', vehicleId: 'VAN-2', driverId: 'DRV-BEN', tsMs: T0 + 300_000, startMs: T0 + 280_000, severity: 0.44, value: 72, threshold: 50, lat: LAT + 0.05, lon: -1.85 },
      { type: 'harsh_brake', vehicleId: 'VAN-1', driverId: 'DRV-ANA', tsMs: T0 + 590_000, startMs: T0 + 590_000, severity: 0.5, value: 4.5, threshold: 3, lat: LAT, lon: -1.82 },
    ],
  });
  // the speeding alert was acknowledged 4 minutes after it was raised
  store.alerts.acknowledge(out.raised.find((a) => a.type === 'speeding')!.id, 'dispatcher ana', T0 + 301_000 + 240_000);
  store.track.summarizeAll();
  return { file, store };
}
