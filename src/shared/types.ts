// DTOs shared by main, preload and renderer. Times are UTC epoch ms; coordinates are WGS84 degrees.

/** One validated telemetry report from a vehicle. */
export interface TelemetryPoint {
  vehicleId: string;
  /** Device time of the fix, UTC epoch ms. */
  tsMs: number;
  lat: number;
  lon: number;
  speedKmh: number | null;
  /** Degrees clockwise from north, 0–360. */
  headingDeg: number | null;
  /** Percent of tank, 0–100. */
  fuelLevelPct: number | null;
  engineRpm: number | null;
  odometerKm: number | null;
  dtcCodes: string[];
  hdop: number | null;
  satellites: number | null;
  coolantTempC: number | null;
  ignition: boolean | null;
  driverId: string | null;
  /** Other fields a device sent (e.g. OsmAnd's altitude, accuracy, batt). */
  attributes?: Record<string, string | number | boolean>;
}

export type VehicleStatus = 'moving' | 'idle' | 'offline';

/** Latest known state of a vehicle, as the live map shows it. */
export interface VehicleState {
  vehicleId: string;
  status: VehicleStatus;
  /** When FleetDesk last received a report (wall clock, UTC epoch ms). */
  lastSeenMs: number;
  last: TelemetryPoint;
}

export type AlertSeverity = 'info' | 'warning' | 'critical';
export type AlertType = 'geofence_enter' | 'geofence_exit';

export interface Alert {
  id: number;
  type: AlertType;
  severity: AlertSeverity;
  vehicleId: string;
  fenceId: string | null;
  fenceName: string | null;
  /** Time of the telemetry that caused the alert, UTC epoch ms. */
  tsMs: number;
  /** Wall-clock time FleetDesk raised it, UTC epoch ms. */
  raisedMs: number;
  message: string;
  lat: number | null;
  lon: number | null;
  acknowledgedMs: number | null;
  acknowledgedBy: string | null;
  /** How many times this (vehicle, type, fence) fired while the alert stayed open; 1 = once. */
  repeatCount: number;
  /** Telemetry time of the latest repeat, UTC epoch ms. */
  lastSeenMs: number;
}

export type GeofenceCategory = 'depot' | 'customer' | 'restricted' | 'service_area' | 'other';

/** A fence's shape. Polygons are GeoJSON (rings of [lon, lat], holes allowed); circles and corridors are ours. */
export type FenceGeometry =
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] }
  /** Centre [lon, lat] and radius in metres. */
  | { type: 'Circle'; center: [number, number]; radiusM: number }
  /** A route as a line of [lon, lat] and the corridor's total width in metres (half on each side). */
  | { type: 'Corridor'; line: number[][]; widthM: number };

export interface Geofence {
  id: string;
  name: string;
  category: GeofenceCategory;
  /** CSS colour used on the map. */
  color: string;
  geometry: FenceGeometry;
  createdMs: number;
  updatedMs: number;
}

export interface GeofenceInput {
  /** Omit to create a new fence. */
  id?: string;
  name: string;
  category: GeofenceCategory;
  color?: string;
  geometry: FenceGeometry;
}

export type BrokerConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'error';

export interface SystemStatus {
  broker: {
    state: BrokerConnectionState;
    /** Broker URL without credentials. */
    url: string;
    embedded: boolean;
    lastError: string | null;
  };
  vehiclesOnline: number;
  vehiclesTotal: number;
  /** Wall-clock time of the last accepted message, UTC epoch ms. */
  lastMessageMs: number | null;
  ingest: {
    accepted: number;
    /** Stored but not trusted (GPS drift, clock): see Ingest health. */
    flagged: number;
    duplicates: number;
    rejected: number;
  };
  openAlerts: number;
  openAlertsBySeverity: Record<AlertSeverity, number>;
  /** The OsmAnd HTTP endpoint, or why it is not running. */
  osmand: { url: string | null; error: string | null };
  demo: boolean;
  /** Wall clock of the service, so the UI can compute ages without trusting its own clock. */
  nowMs: number;
}

export interface DeadLetter {
  id: number;
  receivedMs: number;
  source: string;
  topic: string | null;
  reason: string;
  /** Payload as text (invalid UTF-8 replaced), truncated. */
  payloadText: string;
  payloadBytes: number;
}

export interface VehicleDetail {
  state: VehicleState;
  /** Fences the vehicle is inside now. */
  insideFenceIds: string[];
}

/** Reference lines drawn under the live layers, e.g. the demo city's streets. */
export interface MapOverlay {
  name: string;
  attribution: string;
  /** Lines as [lon, lat] coordinates; `major` ones are drawn stronger. */
  lines: { major: boolean; coordinates: number[][] }[];
}

/** Security of the embedded broker, as the Devices panel shows it. Secrets are never sent back. */
export interface BrokerSecuritySettings {
  embedded: boolean;
  /** Where vehicles connect, e.g. mqtt://127.0.0.1:1883 (and mqtts:// when TLS is on). */
  listenUrls: string[];
  allowAnonymous: boolean;
  /** True when anonymous access is forced on for this run (demo or --allow-anonymous). */
  anonymousForcedByStartup: boolean;
  fleetTokenSet: boolean;
  devices: { vehicleId: string; createdMs: number }[];
}

/** What the Ingest health view shows. Rates are per second over the last 10 s and 60 s. */
export interface IngestHealth {
  nowMs: number;
  queueDepth: number;
  rates: { windowS: number; accepted: number; flagged: number; rejected: number }[];
  totals: { accepted: number; flagged: number; duplicates: number; rejected: number };
  /** Dead letters of the last 24 h, grouped by kind of reason. */
  rejectsByReason: { reason: string; count: number }[];
  /** Untrusted fixes since start, by flag. */
  flaggedByReason: { flag: string; text: string; count: number }[];
  retention: { rawRetentionDays: number; downsampleIntervalMs: number; deadLetterRetentionDays: number; lastRunMs: number | null; lastDeletedPoints: number | null };
}
