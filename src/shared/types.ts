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
  /** When `hidden`, the position and driver are withheld (lat/lon 0, driverId null). */
  last: TelemetryPoint;
  /** Privacy mode is on for this vehicle or its driver now: stored, but not shown. */
  hidden?: boolean;
}

export type AlertSeverity = 'info' | 'warning' | 'critical';
export type DrivingEventType = 'harsh_brake' | 'rapid_accel' | 'hard_corner' | 'speeding' | 'excessive_idle';
export type HealthAlertType = 'dtc' | 'low_fuel' | 'fuel_drop' | 'coolant_high' | 'offline';
export type AlertType = 'geofence_enter' | 'geofence_exit' | 'geofence_dwell' | DrivingEventType | HealthAlertType;
export const ALERT_TYPES: readonly AlertType[] = [
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
];

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
};

/** A driving event derived from telemetry; feeds driver scoring. */
export interface DrivingEvent {
  id: number;
  type: DrivingEventType;
  vehicleId: string;
  driverId: string | null;
  /** Fix time when the event was detected (end of a harsh manoeuvre, speeding confirmed, idling over), UTC epoch ms. */
  tsMs: number;
  /** Fix time the episode began, UTC epoch ms. */
  startMs: number;
  /** 0–1: how far past the threshold it went (0 at the threshold, 1 at the rule's full-severity point). */
  severity: number;
  /** The measured peak: m/s² for brake/accel/corner, km/h for speeding, seconds for idling. */
  value: number;
  threshold: number;
  lat: number;
  lon: number;
}

export interface DriverScore {
  driverId: string;
  km: number;
  events: number;
  eventsByType: Partial<Record<DrivingEventType, number>>;
  /** Points deducted per type: Σ penalty × severity (0 at the threshold, 1 at twice it), before per 100 km. */
  deductionByType: Partial<Record<DrivingEventType, number>>;
  /** null without enough driving to judge. */
  eventsPer100Km: number | null;
  deductionPer100Km: number | null;
  /** 0–100, or null: "not enough driving". */
  score: number | null;
  previousScore: number | null;
  /** Score change against the previous period of the same length. */
  trend: number | null;
}

export interface DriverScores {
  fromMs: number;
  toMs: number;
  penalties: Record<DrivingEventType, number>;
  minKm: number;
  drivers: DriverScore[];
}

/** Alert severity per rule; 'off' records nothing as an alert (driving events are still kept for scoring). */
export type RuleSeverity = AlertSeverity | 'off';

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
  resolvedMs: number | null;
  resolvedBy: string | null;
  /** Recorded while a snooze or mute covered it: kept, but not counted or pushed to the dispatcher's attention. */
  suppressed: boolean;
  /** When an unacknowledged critical alert escalated, UTC epoch ms. */
  escalatedMs: number | null;
}

export interface AlertQuery {
  limit?: number;
  includeAcknowledged?: boolean;
  includeSuppressed?: boolean;
  severity?: AlertSeverity[];
  types?: AlertType[];
  vehicleId?: string;
  /** Telemetry time range, UTC epoch ms. */
  fromMs?: number;
  toMs?: number;
  sort?: 'time' | 'severity';
}

/** A dispatcher's snooze (short, e.g. 1 h) or mute (a known ongoing issue, with a reason) of one vehicle's alerts. */
export interface Suppression {
  id: number;
  kind: 'snooze' | 'mute';
  vehicleId: string;
  /** null = every alert type of the vehicle. */
  type: AlertType | null;
  untilMs: number;
  reason: string;
  createdBy: string;
  createdMs: number;
}

export interface SuppressionInput {
  kind: 'snooze' | 'mute';
  vehicleId: string;
  type: AlertType | null;
  durationMin: number;
  reason?: string;
  by?: string;
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

/** When a fence's rules apply: days of week (0 = Sunday) and a daily window in a time zone. */
export interface FenceSchedule {
  days: number[];
  /** Minutes after local midnight; end < start spans midnight (e.g. 22:00–06:00). */
  startMin: number;
  endMin: number;
  /** IANA time zone, e.g. Europe/London. */
  timeZone: string;
}

export interface FenceRules {
  /** Speed limit inside the fence; speeding is judged against it instead of the vehicle class limit. */
  speedLimitKmh?: number;
  /** Enter/exit/dwell only fire while the schedule is active (membership is always tracked). */
  schedule?: FenceSchedule;
  /** Anti-bounce: a crossing fires only after the vehicle stayed on the new side this long. */
  entryDelayS?: number;
  /** A dwell alert after this long inside, once per visit. */
  dwellAlertMin?: number;
}

export interface VehicleClassThresholds {
  harshBrakeMs2: number;
  rapidAccelMs2: number;
  hardCornerMs2: number;
  cornerMinSpeedKmh: number;
  speedLimitKmh: number;
  speedingMinDurationS: number;
  speedingFullSeverityOverKmh: number;
  idleMinDurationS: number;
  idleFullSeverityOverS: number;
}

/** The engine's thresholds (Settings → Rules). */
export interface EngineConfig {
  /** Threshold sets by vehicle class; "default" applies to every vehicle without a class. */
  classes: Record<string, Partial<VehicleClassThresholds>>;
  vehicleClass: Record<string, string>;
  lowFuelPct: number;
  /** A parked vehicle losing this many percentage points of fuel raises "possible theft". */
  fuelDropPct: number;
  coolantMaxC: number;
  maxSampleGapS: number;
}

/** Alert settings (Settings → Alerts). */
export interface AlertSettings {
  severity: Record<AlertType, RuleSeverity>;
  /** A vehicle with no report for this long raises "offline". */
  offlineAfterMin: number;
  /** Unacknowledged critical alerts escalate after this long. */
  escalateAfterMin: number;
}

export interface Geofence {
  id: string;
  name: string;
  category: GeofenceCategory;
  /** CSS colour used on the map. */
  color: string;
  geometry: FenceGeometry;
  rules: FenceRules;
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
  rules?: FenceRules;
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
  /** Unacknowledged critical alerts past the escalation time. */
  escalatedAlerts: number;
  /** The OsmAnd HTTP endpoint, or why it is not running. */
  osmand: { url: string | null; error: string | null };
  /** What is wrong with the database or the disk, each said with what to do (empty when all is well). */
  storageProblems: string[];
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
  /** Registered vehicles; refusals count since FleetDesk started (logins and publishes under that id). */
  devices: { vehicleId: string; createdMs: number; lastSeenMs: number | null; refused: number; lastRefusedMs: number | null; lastRefusalReason: string | null }[];
  /** What the broker and the listeners refused since start, by reason, and the last refusals. */
  refusals: { byReason: { listener: string; reason: string; count: number }[]; last: { atMs: number; listener: string; reason: string; who: string; address: string }[] };
}

/** What the Ingest health view shows. Rates are per second over the last 10 s and 60 s. */
export interface IngestHealth {
  nowMs: number;
  queueDepth: number;
  rates: { windowS: number; accepted: number; flagged: number; rejected: number }[];
  totals: { accepted: number; flagged: number; duplicates: number; rejected: number };
  /** Dead letters of the last 24 h, grouped by reason code, each with a real message as its example. */
  rejectsByReason: { code: string; reason: string; count: number; example: string }[];
  /** Untrusted fixes since start, by flag. */
  flaggedByReason: { flag: string; text: string; count: number }[];
  retention: { rawRetentionDays: number; downsampleIntervalMs: number; deadLetterRetentionDays: number; lastRunMs: number | null; lastDeletedPoints: number | null };
}

// ---- history -------------------------------------------------------------------------------

/** One drawn track vertex: [tsMs, lat, lon, speedKmh or null]. */
export type TrackVertex = [number, number, number, number | null];

/** A stretch where the vehicle stood still (speed below the stop threshold, or no reports while parked). */
export interface Stop {
  vehicleId: string;
  startMs: number;
  endMs: number;
  durationS: number;
  lat: number;
  lon: number;
}

/** Driving between two stops (or a range edge and a stop). */
export interface Trip {
  vehicleId: string;
  startMs: number;
  endMs: number;
  durationS: number;
  distanceKm: number;
  /** Where the distance came from: the odometer when it is valid for the whole trip, else the GPS track. */
  distanceSource: 'odometer' | 'gps';
  maxSpeedKmh: number | null;
  avgSpeedKmh: number | null;
  start: { lat: number; lon: number };
  end: { lat: number; lon: number };
}

/** Time inside a geofence, from the engine's enter/exit events. */
export interface FenceVisit {
  vehicleId: string;
  fenceId: string;
  fenceName: string;
  enterMs: number;
  /** null while the vehicle is still inside. */
  exitMs: number | null;
  durationS: number | null;
}

export interface HistorySettings {
  /** At or below this speed the vehicle counts as standing still. */
  stopSpeedKmh: number;
  /** A stand-still shorter than this is traffic, not a stop. */
  minStopMin: number;
}

export interface VehicleHistory {
  vehicleId: string;
  fromMs: number;
  toMs: number;
  /** 'raw': every stored point; 'minute': one point per vehicle-minute (long ranges). */
  resolution: 'raw' | 'minute';
  /** Trusted points the track was drawn from, before simplification. */
  sourcePoints: number;
  /** Trusted track, simplified (Douglas–Peucker) to the tolerance asked for. */
  track: TrackVertex[];
  /** Points the drift filter flagged (not in the track), with the reason; at most `flaggedLimit`. */
  flagged: { tsMs: number; lat: number; lon: number; quality: string }[];
  flaggedTotal: number;
  trips: Trip[];
  stops: Stop[];
  visits: FenceVisit[];
  alerts: Alert[];
  drivingEvents: DrivingEvent[];
  /** Time spent answering, for the status line. */
  queryMs: number;
  /** Stretches hidden by privacy mode (no track, trips, events or alerts shown in them). */
  hidden: { fromMs: number; toMs: number }[];
  /** Stored points withheld by privacy mode. */
  hiddenPoints: number;
  /** A supervisor unlocked private data for this answer (recorded in the audit log). */
  unlocked: boolean;
}

export interface HistoryQuery {
  vehicleIds: string[];
  fromMs: number;
  toMs: number;
  /** Douglas–Peucker tolerance in metres (the UI sends about one screen pixel); default: range extent / 4000. */
  toleranceM?: number;
  settings?: Partial<HistorySettings>;
}

/** The stored point nearest before a time (the replay cursor), with its quality verdict. */
export interface PointAt {
  point: TelemetryPoint;
  quality: string | null;
  source: string | null;
}

// ---- map sources ---------------------------------------------------------------------------

/** A regional raster MBTiles file the user added. */
export interface MbtilesInfo {
  id: string;
  file: string;
  name: string;
  format: string;
  minZoom: number;
  maxZoom: number;
  /** [west, south, east, north] */
  bounds: [number, number, number, number] | null;
  attribution: string;
  tiles: number;
}

export interface OnlineTileSettings {
  /** Off by default: a depot works with no network at all. */
  enabled: boolean;
  urlTemplate: string;
  attribution: string;
  /** A tile server on this machine or the LAN is refused unless the admin turns this on. */
  allowPrivateAddresses?: boolean;
}

export interface MapSources {
  mbtiles: MbtilesInfo[];
  online: OnlineTileSettings;
  /** Online tiles kept on disk (shown offline too). */
  cachedOnlineTiles: number;
  /** Tile requests that left this machine since start. */
  onlineFetches: number;
  /** Why the last online tile could not be fetched (null once one is fetched again). */
  onlineError: string | null;
}

// ---- driver privacy ------------------------------------------------------------------------

/** Privacy mode for a vehicle or a driver: positions are stored (for safety) but hidden from the live
 *  map, history and exports unless a supervisor unlocks them with a reason (audited). */
export interface PrivacyRule {
  id: number;
  kind: 'vehicle' | 'driver';
  subjectId: string;
  /** null = always; otherwise while the schedule is active (e.g. off-duty hours). */
  schedule: FenceSchedule | null;
  note: string;
  createdMs: number;
}
export type PrivacyRuleInput = Omit<PrivacyRule, 'id' | 'createdMs'> & { id?: number };

export interface PrivacyStatus {
  rules: PrivacyRule[];
  supervisorPasswordSet: boolean;
  /** How long an unlock lasts. */
  unlockMinutes: number;
}

export interface PrivacyUnlock {
  /** Pass with history and export calls to include private data (recorded in the audit log). */
  token: string;
  untilMs: number;
}

/** One kind of data FleetDesk keeps, for the "data we collect" page. */
export interface DataInventoryItem {
  what: string;
  fields: string;
  why: string;
  kept: string;
}

// ---- predictive maintenance ----------------------------------------------------------------

export interface MaintenanceRecord {
  id: number;
  vehicleId: string;
  kind: 'service' | 'breakdown';
  tsMs: number;
  odometerKm: number | null;
  cost: number | null;
  note: string;
}
export type MaintenanceRecordInput = Omit<MaintenanceRecord, 'id'>;

export interface FoldMetrics {
  fold: number;
  trainRows: number;
  testRows: number;
  testWeeks: [string, string];
  threshold: number;
  recall: number;
  precision: number;
  auc: number;
}

export interface MaintenanceModelInfo {
  trainedMs: number;
  rows: number;
  positives: number;
  /** Alert threshold chosen on validation weeks for the target recall. */
  threshold: number;
  targetRecall: number;
  folds: FoldMetrics[];
  trees: number;
}

export interface RiskRow {
  vehicleId: string;
  week: string;
  /** Probability of a breakdown within 14 days. */
  risk: number;
  alert: boolean;
  /** The features pushing this vehicle's risk up (log-odds added), largest first. */
  drivers: { feature: string; value: number | null; contribution: number }[];
}

export interface MaintenanceOverview {
  model: MaintenanceModelInfo | null;
  ranking: RiskRow[];
  /** Vehicle-weeks available to train on, and breakdowns among them. */
  trainingRows: number;
  trainingPositives: number;
  training: { running: boolean; progress: number; message: string };
}

// ---- fleet cost ------------------------------------------------------------------------------

/** What a vehicle costs to own, as entered or imported; any field may be missing (null). */
export interface VehicleCostInputs {
  vehicleId: string;
  acquisitionCost: number | null;
  /** ISO date (YYYY-MM-DD). */
  acquisitionDate: string | null;
  monthlyLease: number | null;
  insurancePerYear: number | null;
  fuelPricePerL: number | null;
  consumptionLPer100Km: number | null;
  /** Instead of price × consumption: an all-in fuel (or energy) cost per km. */
  costPerKm: number | null;
  /** Depreciation per year, % (compounding); default 15. */
  depreciationRatePct: number | null;
}

export interface VehicleCost {
  vehicleId: string;
  km: number;
  fuelCost: number | null;
  depreciation: number | null;
  lease: number;
  insurance: number;
  maintenance: number;
  total: number;
  /** null when the vehicle drove under 10 km in the period (a rate over a few km means nothing). */
  costPerKm: number | null;
  /** Maintenance ÷ total; null when the total is 0. */
  maintenanceRatio: number | null;
  replacementCandidate: boolean;
  /** Inputs that are missing, so the total leaves them out. */
  missing: string[];
}

export interface FleetCost {
  fromMs: number;
  toMs: number;
  vehicles: VehicleCost[];
  totals: { km: number; fuelCost: number; depreciation: number; lease: number; insurance: number; maintenance: number; total: number; costPerKm: number | null };
  replacementThreshold: number;
}

// ---- ETA -------------------------------------------------------------------------------------

export interface EtaResult {
  state: 'en_route' | 'arrived' | 'stalled';
  /** UTC epoch ms; null when stalled. */
  etaMs: number | null;
  remainingKm: number;
  /** 'route': along a known route (corridor); 'detour': great-circle × the fleet's detour factor. */
  distanceSource: 'route' | 'detour';
  detourFactor: number;
  /** The speed the ETA assumes (a blend of the current and the historical speed). */
  speedKmh: number;
  historicalKmh: number;
  /** 'route': past traversals of this corridor; else the vehicle's or the fleet's trips at this hour. */
  historicalSource: 'route' | 'vehicle' | 'fleet' | 'default';
  /** Minutes stopped, when stalled. */
  stalledMin?: number;
}

export type EtaDestination = { lat: number; lon: number } | { fenceId: string };

/** A driver on shift in a vehicle: telemetry without a driver id is credited to them. */
export interface DriverAssignment {
  id: number;
  vehicleId: string;
  driverId: string;
  startMs: number;
  /** null: until further notice. */
  endMs: number | null;
}
