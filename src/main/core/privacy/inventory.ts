// "Data we collect": exactly what FleetDesk stores and for how long, for transparency with drivers.
// Kept next to the schema it describes; a test checks every telemetry column is listed here.
import type { DataInventoryItem } from '../../../shared/contract/privacy';
import type { RetentionSettings } from '../retention/retention';

/** Telemetry columns and what they mean to a driver. */
export const TELEMETRY_FIELDS: Record<string, string> = {
  vehicle_id: 'vehicle id',
  ts_ms: 'time of the fix',
  lat: 'latitude',
  lon: 'longitude',
  speed_kmh: 'speed',
  heading_deg: 'heading',
  fuel_level_pct: 'fuel level',
  engine_rpm: 'engine rpm',
  odometer_km: 'odometer',
  dtc_codes: 'engine fault codes',
  hdop: 'GPS precision (HDOP)',
  satellites: 'satellites in view',
  coolant_temp_c: 'coolant temperature',
  ignition: 'ignition on/off',
  driver_id: 'driver id',
  received_ms: 'time received',
  quality: 'drift-filter verdict',
  source: 'protocol (MQTT or OsmAnd)',
  attributes: 'other fields the tracker sends (e.g. battery, accuracy)',
};

export function dataInventory(o: { retention: RetentionSettings; exportsDir: string }): DataInventoryItem[] {
  const perMin = Math.round(o.retention.downsampleIntervalMs / 60_000);
  return [
    {
      what: 'Vehicle positions and telemetry',
      fields: Object.values(TELEMETRY_FIELDS).join(', '),
      why: 'live map, alerts, history, driver scores, maintenance',
      kept: `every point for ${o.retention.rawRetentionDays} days, then one point per vehicle per ${perMin} minute${perMin === 1 ? '' : 's'}; a per-minute summary for drawing long ranges is kept as long as the points`,
    },
    {
      what: 'Positions under privacy mode',
      fields: 'the same fields, stored for safety',
      why: 'accidents, theft, emergencies',
      kept: 'as above; hidden from the live map, history and exports unless a supervisor unlocks them with a reason (recorded in the audit log)',
    },
    {
      what: 'Rejected messages (dead letters)',
      fields: `the raw message (first 4 KiB), topic, time, reason`,
      why: 'finding faulty trackers',
      kept: `${o.retention.deadLetterRetentionDays} days`,
    },
    {
      what: 'Alerts',
      fields: 'vehicle, type, severity, time, place, message, who acknowledged or resolved it and when',
      why: 'dispatch work and its record',
      kept: 'until deleted (no automatic deletion)',
    },
    {
      what: 'Driving events',
      fields: 'harsh braking, rapid acceleration, hard cornering, speeding, idling: vehicle, driver, time, place, severity',
      why: 'driver scores',
      kept: 'until deleted (no automatic deletion)',
    },
    {
      what: 'Geofence visits',
      fields: 'vehicle, geofence, entry and exit times',
      why: 'history and reports',
      kept: 'until deleted (no automatic deletion)',
    },
    {
      what: 'Audit log',
      fields: 'exports (who, report, period, vehicles, file name), privacy unlocks and their reasons, privacy and password changes',
      why: 'accountability',
      kept: 'until deleted (no automatic deletion)',
    },
    {
      what: 'Device credentials',
      fields: 'vehicle id and a salted hash of its secret (never the secret itself)',
      why: 'broker security',
      kept: 'until revoked',
    },
    {
      what: 'Exported files (serve mode)',
      fields: 'the report as written',
      why: 'download by the browser that asked',
      kept: `in ${o.exportsDir} until downloaded, at most one hour`,
    },
  ];
}
