// The one API contract between the renderer and FleetDesk's core; both transports (Electron IPC, WebSocket) carry it.
import type { ExportProgress, ReportRequest } from './reports';
import type {
  Alert,
  AlertQuery,
  AlertSettings,
  DrivingEvent,
  DrivingEventType,
  DriverScores,
  EngineConfig,
  Suppression,
  SuppressionInput,
  BrokerSecuritySettings,
  DeadLetter,
  Geofence,
  GeofenceInput,
  MapSources,
  OnlineTileSettings,
  HistoryQuery,
  DriverAssignment,
  EtaDestination,
  EtaResult,
  FleetCost,
  VehicleCostInputs,
  MaintenanceOverview,
  MaintenanceRecord,
  MaintenanceRecordInput,
  DataInventoryItem,
  PrivacyRule,
  PrivacyRuleInput,
  PrivacyStatus,
  PrivacyUnlock,
  PointAt,
  VehicleHistory,
  IngestHealth,
  MapOverlay,
  SystemStatus,
  VehicleDetail,
  VehicleState,
} from './types';

export interface RuleSettings {
  engine: EngineConfig;
  alerts: AlertSettings;
  /** Driver-score penalty per driving event type (× the event's severity). */
  penalties: Record<DrivingEventType, number>;
}

/** Request/response calls: method name → params and result. */
export interface ApiMethods {
  listVehicles: { params: Record<string, never>; result: VehicleState[] };
  getVehicle: { params: { vehicleId: string }; result: VehicleDetail | null };
  listAlerts: { params: AlertQuery; result: Alert[] };
  acknowledgeAlert: { params: { alertId: number; by?: string }; result: Alert };
  /** The condition is over (acknowledges it too if nobody had). */
  resolveAlert: { params: { alertId: number; by?: string }; result: Alert };
  /** Snooze or mute one vehicle's alerts (of one type, or all); suppressed alerts are still recorded. */
  suppress: { params: SuppressionInput; result: Suppression };
  listSuppressions: { params: Record<string, never>; result: Suppression[] };
  endSuppression: { params: { id: number }; result: { ended: boolean } };
  getRuleSettings: { params: Record<string, never>; result: RuleSettings };
  saveRuleSettings: { params: { engine: EngineConfig; alerts: AlertSettings; penalties?: Partial<Record<DrivingEventType, number>> }; result: RuleSettings };
  /** Driver scores for a period (default: the last 24 h), with the trend against the period before. */
  getDriverScores: { params: { fromMs?: number; toMs?: number }; result: DriverScores };
  listDrivingEvents: { params: { fromMs?: number; toMs?: number; vehicleId?: string; driverId?: string; limit?: number }; result: DrivingEvent[] };
  /** Tracks, trips, stops, visits, alerts and driving events of one or more vehicles in a range. */
  getHistory: { params: HistoryQuery & { unlockToken?: string; by?: string }; result: VehicleHistory[] };
  /** The stored point at or just before a time: the replay cursor's telemetry. */
  getPointAt: { params: { vehicleId: string; tsMs: number; unlockToken?: string; by?: string }; result: PointAt | null };
  /** Writes a report to a file in the background; progress arrives as `exportProgress` events. */
  startExport: { params: ReportRequest & { by?: string; unlockToken?: string }; result: ExportProgress };
  cancelExport: { params: { jobId: string }; result: { cancelled: boolean } };
  /** Exports (and, later, privacy unlocks): who, what, when, newest first. */
  listAudit: { params: { limit?: number }; result: AuditEntry[] };
  /** Map sources: added MBTiles files and the online-tiles setting. */
  getMapSources: { params: Record<string, never>; result: MapSources };
  /** Adds a raster MBTiles file (a path on the FleetDesk machine; the desktop app asks with a dialog when none is given). */
  addMbtiles: { params: { path?: string }; result: MapSources };
  removeMbtiles: { params: { id: string }; result: MapSources };
  setOnlineTiles: { params: OnlineTileSettings; result: MapSources };
  getPrivacy: { params: Record<string, never>; result: PrivacyStatus };
  /** Changing an existing rule (with `id`) needs the supervisor password; adding one does not. */
  savePrivacyRule: { params: PrivacyRuleInput & { supervisorPassword?: string }; result: PrivacyRule };
  deletePrivacyRule: { params: { id: number; supervisorPassword?: string }; result: { deleted: boolean } };
  /** First time: no `current`; to change it, the current password. */
  setSupervisorPassword: { params: { current?: string; next: string }; result: PrivacyStatus };
  /** A supervisor shows private positions for a while, giving a reason; both are recorded in the audit log. */
  unlockPrivacy: { params: { password: string; reason: string; by?: string }; result: PrivacyUnlock };
  /** What FleetDesk stores and for how long ("data we collect"). */
  getDataInventory: { params: Record<string, never>; result: DataInventoryItem[] };
  /** The breakdown model: its validation, and vehicles ranked by risk with what drives it. */
  getMaintenance: { params: Record<string, never>; result: MaintenanceOverview };
  /** Trains again in a worker; progress arrives as `maintenanceProgress` events. */
  retrainMaintenance: { params: Record<string, never>; result: { started: boolean } };
  listMaintenanceRecords: { params: { vehicleId?: string; limit?: number }; result: MaintenanceRecord[] };
  addMaintenanceRecord: { params: MaintenanceRecordInput; result: MaintenanceRecord };
  deleteMaintenanceRecord: { params: { id: number }; result: { deleted: boolean } };
  /** CSV of records (vehicle_id, kind, date, odometer_km, cost, note) or of feature history (the columns of `maintenance evaluate`). */
  importMaintenanceCsv: { params: { kind: 'records' | 'history'; text: string }; result: { imported: number; errors: string[] } };
  /** Total cost of ownership per vehicle and for the fleet, for a period (default: the last 30 days). */
  getFleetCost: { params: { fromMs?: number; toMs?: number }; result: FleetCost };
  listCostInputs: { params: Record<string, never>; result: VehicleCostInputs[] };
  saveCostInputs: { params: VehicleCostInputs; result: VehicleCostInputs };
  /** CSV with vehicle_id, acquisition_cost, acquisition_date, monthly_lease, insurance_per_year, fuel_price_per_l, consumption_l_per_100km, cost_per_km, depreciation_rate_pct. */
  importCostCsv: { params: { text: string }; result: { imported: number; errors: string[] } };
  /** ETA of a vehicle to a point or a geofence (a corridor fence is followed as the route to its end). */
  getEta: { params: { vehicleId: string; destination: EtaDestination }; result: EtaResult & { destination: { lat: number; lon: number; label: string } } };
  listAssignments: { params: Record<string, never>; result: DriverAssignment[] };
  /** A driver's shift in a vehicle; overlapping shifts of the same vehicle are refused. */
  addAssignment: { params: Omit<DriverAssignment, 'id'>; result: DriverAssignment };
  deleteAssignment: { params: { id: number }; result: { deleted: boolean } };
  listGeofences: { params: Record<string, never>; result: Geofence[] };
  saveGeofence: { params: GeofenceInput; result: Geofence };
  deleteGeofence: { params: { id: string }; result: { deleted: boolean } };
  getStatus: { params: Record<string, never>; result: SystemStatus };
  listDeadLetters: { params: { limit?: number }; result: DeadLetter[] };
  /** Extra reference lines for the offline basemap (the demo city's streets), if any. */
  getMapOverlay: { params: Record<string, never>; result: MapOverlay | null };
  getIngestHealth: { params: Record<string, never>; result: IngestHealth };
  getBrokerSecurity: { params: Record<string, never>; result: BrokerSecuritySettings };
  /** Creates (or replaces) a vehicle's broker secret; the secret is returned this once only. */
  createDeviceCredential: { params: { vehicleId: string }; result: { vehicleId: string; secret: string } };
  revokeDeviceCredential: { params: { vehicleId: string }; result: { revoked: boolean } };
  setAllowAnonymous: { params: { allow: boolean }; result: BrokerSecuritySettings };
  /** A new shared fleet token (returned once); any vehicle id may log in with it. */
  rotateFleetToken: { params: Record<string, never>; result: { token: string } };
  clearFleetToken: { params: Record<string, never>; result: BrokerSecuritySettings };
}

/** Events pushed from the core to every connected UI. */
export interface ApiEvents {
  /** Latest states of vehicles that reported since the previous batch. */
  positions: VehicleState[];
  alertRaised: Alert;
  alertUpdated: Alert;
  status: SystemStatus;
  geofencesChanged: Geofence[];
  exportProgress: ExportProgress;
  maintenanceProgress: MaintenanceOverview['training'];
}

export interface AuditEntry {
  id: number;
  tsMs: number;
  actor: string;
  action: string;
  /** JSON: what was exported (report, format, period, vehicles, file, rows) */
  detail: string;
}

export type MethodName = keyof ApiMethods;
export type EventName = keyof ApiEvents;
export type Params<M extends MethodName> = ApiMethods[M]['params'];
export type Result<M extends MethodName> = ApiMethods[M]['result'];

/** Runtime allow-list of callable methods; transports refuse anything else. */
export const METHOD_NAMES: readonly MethodName[] = [
  'listVehicles',
  'getVehicle',
  'listAlerts',
  'acknowledgeAlert',
  'resolveAlert',
  'suppress',
  'listSuppressions',
  'endSuppression',
  'getRuleSettings',
  'saveRuleSettings',
  'listDrivingEvents',
  'getDriverScores',
  'getHistory',
  'getPointAt',
  'startExport',
  'cancelExport',
  'listAudit',
  'getMapSources',
  'addMbtiles',
  'removeMbtiles',
  'setOnlineTiles',
  'getPrivacy',
  'savePrivacyRule',
  'deletePrivacyRule',
  'setSupervisorPassword',
  'unlockPrivacy',
  'getDataInventory',
  'getMaintenance',
  'retrainMaintenance',
  'listMaintenanceRecords',
  'addMaintenanceRecord',
  'deleteMaintenanceRecord',
  'importMaintenanceCsv',
  'getFleetCost',
  'listCostInputs',
  'saveCostInputs',
  'importCostCsv',
  'getEta',
  'listAssignments',
  'addAssignment',
  'deleteAssignment',
  'listGeofences',
  'saveGeofence',
  'deleteGeofence',
  'getStatus',
  'listDeadLetters',
  'getMapOverlay',
  'getIngestHealth',
  'getBrokerSecurity',
  'createDeviceCredential',
  'revokeDeviceCredential',
  'setAllowAnonymous',
  'rotateFleetToken',
  'clearFleetToken',
];

export const EVENT_NAMES: readonly EventName[] = [
  'positions',
  'alertRaised',
  'alertUpdated',
  'status',
  'geofencesChanged',
  'exportProgress',
  'maintenanceProgress',
];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && (METHOD_NAMES as readonly string[]).includes(name);
}

/** Server side of the contract: one async function per method. */
export type ApiHandlers = { [M in MethodName]: (params: Params<M>) => Promise<Result<M>> };

/** Client side of the contract, as the renderer sees it, whatever the transport. */
export interface ApiClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** Transport connection changes (a WebSocket can drop; IPC never does). */
  onConnection(listener: (connected: boolean) => void): () => void;
  /** Leaflet URL template for a tile source ('online' or an MBTiles id), whatever the transport. */
  tileUrl(sourceId: string): string;
}

/** The Electron app serves tiles on this scheme: fleetdesk-tiles://<source>/<z>/<x>/<y> */
export const TILE_SCHEME = 'fleetdesk-tiles';

/** An error a handler returns on purpose; its message is meant for the person using FleetDesk. */
export interface ApiErrorBody {
  code: 'bad_request' | 'not_found' | 'internal';
  message: string;
}

// Wire frames of the WebSocket transport (IPC uses Electron's own framing).
export type ClientFrame = { type: 'call'; id: number; method: string; params: unknown };
export type ServerFrame =
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: ApiErrorBody }
  | { type: 'event'; event: EventName; payload: unknown };

/** What the preload exposes as `window.fleetdesk` in the Electron app. */
export interface PreloadBridge {
  call(method: string, params: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorBody }>;
  on(listener: (event: EventName, payload: unknown) => void): () => void;
}

export const IPC_CALL_CHANNEL = 'fleetdesk:call';
export const IPC_EVENT_CHANNEL = 'fleetdesk:event';
