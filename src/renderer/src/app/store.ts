// UI state (zustand), normalised by id; fed by the API's events, refetched whenever the connection returns.
import { create } from 'zustand';
import type { Alert, AlertQuery, AlertSeverity, AlertType, Suppression } from '../../../shared/contract/alerts';
import type { EtaDestination, EtaResult } from '../../../shared/contract/eta';
import type { Geofence } from '../../../shared/contract/fences';
import type { SystemStatus } from '../../../shared/contract/ingest';
import type { MapSources } from '../../../shared/contract/maps';
import type { VehicleState } from '../../../shared/contract/vehicles';
import type { Access, PresenceEntry, Role } from '../../../shared/contract/users';
import { API_METHODS, type MethodName } from '../../../shared/api';
import { ApiCallError } from '../lib/api';
import { api } from '../lib/api';
import { vehicleStatus } from '../../../shared/vehicle-status';

export interface FleetState {
  connected: boolean;
  /** Whether this screen must sign in, and who it is signed in as (null until the service has said). */
  access: Access | null;
  signIn(name: string, password: string, workstation: string): Promise<string | null>;
  signOut(): Promise<void>;
  /** The "since your last shift" digest is showing (opened at each sign-in, and from the status bar). */
  handoverOpen: boolean;
  setHandoverOpen(open: boolean): void;
  vehicles: Record<string, VehicleState>;
  /** Increments on every position batch; imperative layers watch it instead of diffing. */
  positionsVersion: number;
  alerts: Record<number, Alert>;
  geofences: Geofence[];
  status: SystemStatus | null;
  selectedVehicleId: string | null;
  /** A request to centre the map, bumped on each click so repeated clicks re-centre. */
  focus: { vehicleId: string; seq: number } | null;
  alertFilter: AlertFilter;
  /** A point to show on the map (a driving event), bumped on each click. */
  pointFocus: { lat: number; lon: number; label: string; seq: number } | null;
  /** The fence open in the Fences tab (or being drawn). */
  selectedFenceId: string | null;
  /** Which right-hand tab is showing; selecting a fence on the map opens Fences. */
  rightTab: RightTab;
  suppressions: Suppression[];
  /** Play a sound when a critical alert escalates (remembered on this workstation). */
  soundOn: boolean;
  lastError: string | null;
  /** Tile sources the map shows besides the bundled basemap. */
  mapSources: MapSources | null;
  /** The ETA the dispatcher asked for (refreshed while shown), and whether the next map click picks its point. */
  etaTarget: { vehicleId: string; destination: EtaDestination } | null;
  eta: (EtaResult & { destination: { lat: number; lon: number; label: string } }) | null;
  /** The vehicle whose ETA destination the next map click picks. */
  pickingEta: string | null;
  setEtaTarget(t: { vehicleId: string; destination: EtaDestination } | null): void;
  setPickingEta(vehicleId: string | null): void;
  setMapSources(s: MapSources): void;
  select(vehicleId: string | null, centre?: boolean): void;
  acknowledge(alertId: number): Promise<void>;
  resolve(alertId: number): Promise<void>;
  /** Acknowledges or resolves several lines (a group or a selection) with one note; false when it failed. */
  actOnAlerts(action: 'acknowledge' | 'resolve', alertIds: number[], note?: string): Promise<boolean>;
  /** Takes a line (everyone sees who handles it), or gives it back. */
  claim(alertId: number, take: boolean): Promise<void>;
  /** Who is signed in where (a hub). */
  presence: PresenceEntry[];
  /** Texts from drivers nobody has read yet, in all and per vehicle. */
  unreadMessages: { total: number; byVehicle: Record<string, number> };
  /** Lines acted on stay in place (updated) while the pointer is over the list; this lets them go. */
  releaseHeldAlerts(): void;
  suppress(kind: 'snooze' | 'mute', vehicleId: string, type: AlertType | null, durationMin: number, reason?: string): Promise<boolean>;
  endSuppression(id: number): Promise<void>;
  setAlertFilter(patch: Partial<AlertFilter>): void;
  selectFence(id: string | null): void;
  focusPoint(lat: number, lon: number, label: string): void;
  setRightTab(tab: RightTab): void;
  setSoundOn(on: boolean): void;
  setError(message: string | null): void;
}

export const RIGHT_TABS = ['Alerts', 'Fences', 'Rules', 'Ingest', 'Devices', 'Drivers', 'Maintenance', 'Costs', 'History', 'Settings', 'Jobs'] as const;
export type RightTab = (typeof RIGHT_TABS)[number];

export interface AlertFilter {
  severities: AlertSeverity[];
  type: AlertType | '';
  vehicle: string;
  /** How far back, in hours; 0 = all. */
  hours: number;
  sort: 'time' | 'severity';
  showAcknowledged: boolean;
  showSuppressed: boolean;
}

/** Info alerts are records (visits, idling): the list opens on what needs a dispatcher. */
export const DEFAULT_ALERT_FILTER: AlertFilter = { severities: ['warning', 'critical'], type: '', vehicle: '', hours: 0, sort: 'time', showAcknowledged: false, showSuppressed: false };

export function alertQuery(f: AlertFilter, nowMs: number): AlertQuery {
  return {
    limit: 500,
    severity: f.severities,
    types: f.type ? [f.type] : undefined,
    vehicleId: f.vehicle.trim() || undefined,
    fromMs: f.hours > 0 ? nowMs - f.hours * 3_600_000 : undefined,
    sort: f.sort,
    includeAcknowledged: f.showAcknowledged,
    includeSuppressed: f.showSuppressed,
  };
}

/** Does an alert pushed live belong in the list the filter shows? (the same rules as the query) */
export function matchesFilter(a: Alert, f: AlertFilter, nowMs: number): boolean {
  if (!f.severities.includes(a.severity)) return false;
  if (f.type && a.type !== f.type) return false;
  if (f.vehicle.trim() && a.vehicleId !== f.vehicle.trim()) return false;
  if (f.hours > 0 && a.lastSeenMs < nowMs - f.hours * 3_600_000) return false;
  if (!f.showAcknowledged && a.acknowledgedMs !== null) return false;
  if (!f.showSuppressed && a.suppressed) return false;
  return true;
}

const SOUND_KEY = 'fleetdesk.escalationSound';

function beep(): void {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.6);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.6);
    osc.onended = () => void ctx.close();
  } catch {
    // no audio device: the visual escalation still shows
  }
}

export const useFleet = create<FleetState>((set, get) => ({
  connected: false,
  vehicles: {},
  positionsVersion: 0,
  alerts: {},
  access: null,
  handoverOpen: false,
  setHandoverOpen(open) {
    set({ handoverOpen: open });
  },
  async signIn(name, password, workstation) {
    try {
      const r = await api.call('signIn', { name, password, workstation });
      sessionStorage.setItem(SESSION_KEY, r.token);
      localStorage.setItem(WORKSTATION_KEY, workstation);
      set({ access: r.access, handoverOpen: true });
      await loadAll();
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  },
  async signOut() {
    await api.call('signOut', {}).catch(() => undefined);
    sessionStorage.removeItem(SESSION_KEY);
    set((s) => ({ access: s.access && { ...s.access, user: null }, vehicles: {}, alerts: {}, geofences: [], positionsVersion: s.positionsVersion + 1 }));
  },
  geofences: [],
  status: null,
  selectedVehicleId: null,
  focus: null,
  alertFilter: DEFAULT_ALERT_FILTER,
  selectedFenceId: null,
  pointFocus: null,
  rightTab: 'Alerts',
  suppressions: [],
  soundOn: typeof localStorage !== 'undefined' && localStorage.getItem(SOUND_KEY) === 'on',
  lastError: null,
  mapSources: null,
  etaTarget: null,
  eta: null,
  pickingEta: null,
  setEtaTarget(etaTarget) {
    set({ etaTarget, eta: null, pickingEta: null });
  },
  setPickingEta(pickingEta) {
    set({ pickingEta });
  },
  setMapSources(mapSources) {
    set({ mapSources });
  },
  select(vehicleId, centre = true) {
    set((s) => ({
      selectedVehicleId: vehicleId,
      focus: vehicleId && centre ? { vehicleId, seq: (s.focus?.seq ?? 0) + 1 } : s.focus,
      // an ETA belongs to its vehicle: it goes (line, label and all) when another vehicle or none is selected
      ...(s.etaTarget && s.etaTarget.vehicleId !== vehicleId ? { etaTarget: null, eta: null } : {}),
      ...(s.pickingEta && s.pickingEta !== vehicleId ? { pickingEta: null } : {}),
    }));
  },
  async acknowledge(alertId) {
    await get().actOnAlerts('acknowledge', [alertId]);
  },
  async resolve(alertId) {
    await get().actOnAlerts('resolve', [alertId]);
  },
  async actOnAlerts(action, alertIds, note) {
    // the lines stay where they are under the pointer, marked as handled, until it leaves the list
    for (const id of alertIds) heldAlerts.add(id);
    try {
      const method = action === 'acknowledge' ? 'acknowledgeAlerts' : 'resolveAlerts';
      const params = { alertIds, note: note?.trim() || undefined, by: 'dispatcher' };
      for (const a of await askIfClaimed((override) => api.call(method, { ...params, override }))) applyAlert(a);
      return true;
    } catch (err) {
      if (err instanceof Declined) return false;
      get().setError(`Could not ${action} ${alertIds.length === 1 ? 'the alert' : `${alertIds.length} alerts`}: ${(err as Error).message}`);
      return false;
    }
  },
  async claim(alertId, take) {
    try {
      applyAlert(take ? await askIfClaimed((override) => api.call('claimAlert', { alertId, by: 'dispatcher', override })) : await api.call('releaseAlert', { alertId }));
    } catch (err) {
      if (!(err instanceof Declined)) get().setError(`Could not ${take ? 'take' : 'release'} the alert: ${(err as Error).message}`);
    }
  },
  presence: [],
  unreadMessages: { total: 0, byVehicle: {} },
  releaseHeldAlerts() {
    if (heldAlerts.size === 0) return;
    const held = [...heldAlerts];
    heldAlerts.clear();
    set((s) => {
      const now = Date.now();
      const gone = held.filter((id) => s.alerts[id] && !matchesFilter(s.alerts[id]!, s.alertFilter, now));
      if (gone.length === 0) return {};
      const alerts = { ...s.alerts };
      for (const id of gone) delete alerts[id];
      return { alerts };
    });
  },
  async suppress(kind, vehicleId, type, durationMin, reason) {
    try {
      await api.call('suppress', { kind, vehicleId, type, durationMin, reason, by: 'dispatcher' });
      await loadSuppressions();
      return true;
    } catch (err) {
      get().setError(`Could not ${kind}: ${(err as Error).message}`);
      return false;
    }
  },
  async endSuppression(id) {
    await api.call('endSuppression', { id }).catch((err) => get().setError(`Could not end it: ${(err as Error).message}`));
    await loadSuppressions();
  },
  setAlertFilter(patch) {
    heldAlerts.clear();
    set((s) => ({ alertFilter: { ...s.alertFilter, ...patch } }));
    void loadAlerts().catch((err) => get().setError(`Could not load alerts: ${(err as Error).message}`));
  },
  selectFence(id) {
    set((s) => (id ? { selectedFenceId: id, ...tabChange(s, 'Fences') } : { selectedFenceId: null }));
  },
  focusPoint(lat, lon, label) {
    set((s) => ({ pointFocus: { lat, lon, label, seq: (s.pointFocus?.seq ?? 0) + 1 } }));
  },
  setRightTab(tab) {
    set((s) => tabChange(s, tab));
  },
  setSoundOn(on) {
    localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
    set({ soundOn: on });
    if (on) beep();
  },
  setError(message) {
    set({ lastError: message });
  },
}));

/** A point shown on the map belongs to the tab that showed it (a driving event, a stop): it goes with the tab. */
function tabChange(s: FleetState, tab: RightTab): Partial<FleetState> {
  return tab === s.rightTab ? {} : { rightTab: tab, pointFocus: null };
}

async function loadAlerts(): Promise<void> {
  const list = await api.call('listAlerts', alertQuery(useFleet.getState().alertFilter, Date.now()));
  useFleet.setState({ alerts: Object.fromEntries(list.map((a) => [a.id, a])) });
}

async function loadSuppressions(): Promise<void> {
  useFleet.setState({ suppressions: await api.call('listSuppressions', {}) });
}

/** The dispatcher chose not to act on a line another is handling. */
class Declined extends Error {}

/** Calls `act`; when another dispatcher is handling a line, asks first, then acts anyway or not at all. */
async function askIfClaimed<T>(act: (override?: boolean) => Promise<T>): Promise<T> {
  try {
    return await act();
  } catch (err) {
    if (!(err instanceof ApiCallError) || err.code !== 'conflict') throw err;
    if (!window.confirm(`${err.message} Act on it anyway?`)) throw new Declined();
    return act(true);
  }
}

/** Lines the dispatcher just acted on: kept in place (updated) until the pointer leaves the list. */
const heldAlerts = new Set<number>();

/** Puts a pushed or updated alert into the list, or takes it out if the filter no longer shows it. */
function applyAlert(a: Alert): void {
  useFleet.setState((s) => {
    const prev = s.alerts[a.id];
    if (s.soundOn && a.escalatedMs !== null && prev && prev.escalatedMs === null) beep();
    if (!matchesFilter(a, s.alertFilter, Date.now()) && !(prev && heldAlerts.has(a.id))) {
      if (!prev) return {};
      const { [a.id]: _gone, ...rest } = s.alerts;
      return { alerts: rest };
    }
    return { alerts: { ...s.alerts, [a.id]: a } };
  });
}

/** This screen's clock minus the service's, measured when the connection (re)starts. */
let clockOffsetMs = 0;

/** The service's time now, by this screen's clock (a browser on another machine may be off by minutes). */
export function serviceNow(): number {
  return Date.now() + clockOffsetMs;
}

/** How often statuses are re-judged with no new report (a silent vehicle: moving → idle → offline). */
const AGE_EVERY_MS = 5_000;

/** Re-applies the status rule to every vehicle at the service's time now; redraws only if one changed. */
export function ageStatuses(): void {
  const now = serviceNow();
  useFleet.setState((s) => {
    let vehicles: Record<string, VehicleState> | null = null;
    for (const v of Object.values(s.vehicles)) {
      const status = vehicleStatus(v.last.speedKmh, v.lastSeenMs, now);
      if (status === v.status) continue;
      vehicles ??= { ...s.vehicles };
      vehicles[v.vehicleId] = { ...v, status };
    }
    return vehicles ? { vehicles, positionsVersion: s.positionsVersion + 1 } : {};
  });
}

async function loadAll(): Promise<void> {
  const [vehicles, geofences, status, mapSources] = await Promise.all([
    api.call('listVehicles', {}),
    api.call('listGeofences', {}),
    api.call('getStatus', {}),
    api.call('getMapSources', {}),
  ]);
  clockOffsetMs = status.nowMs - Date.now();
  useFleet.setState((s) => ({
    vehicles: Object.fromEntries(vehicles.map((v) => [v.vehicleId, v])),
    positionsVersion: s.positionsVersion + 1,
    geofences,
    status,
    mapSources,
  }));
  await Promise.all([loadAlerts(), loadSuppressions(), loadUnread()]);
}

async function loadUnread(): Promise<void> {
  const unreadMessages = await api.call('getUnreadMessages', {}).catch(() => null);
  if (unreadMessages) useFleet.setState({ unreadMessages });
}

const SESSION_KEY = 'fleetdesk.session';
const WORKSTATION_KEY = 'fleetdesk.workstation';

/** This workstation's name as people read it in "who is signed in where" (remembered on it). */
export function workstationName(): string {
  return localStorage.getItem(WORKSTATION_KEY) ?? `Workstation ${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
}

/** Whether the signed-in user may do what needs `role` (the server decides; the screen hides what it would refuse). */
export function can(access: Access | null, role: Role): boolean {
  const order: Role[] = ['viewer', 'dispatcher', 'supervisor', 'admin'];
  const mine = access?.user?.role;
  return mine !== undefined && order.indexOf(mine) >= order.indexOf(role);
}

/**
 * Whether the signed-in user may call `method`, by the role the contract gives it (the server decides; the
 * screen hides what it would refuse). Every control that calls a method asks this, so a role change in the
 * contract changes the screens with it.
 */
export function mayCall(access: Access | null, method: MethodName): boolean {
  // not known yet: only this computer's own console shows before the service has said who it is (a hub's
  // page waits for it), and there the operator may do everything — keys pressed at once reach their panels
  if (access === null) return true;
  const need = API_METHODS[method].role;
  return need === 'public' || can(access, need);
}

/** `mayCall` for the current user, re-rendering when who is signed in changes. */
export function useMay(method: MethodName): boolean {
  return useFleet((s) => mayCall(s.access, method));
}

/** What a tab shows comes from this method: a role that may not call it does not see the tab. */
export const TAB_NEEDS: Record<RightTab, MethodName> = {
  Alerts: 'listAlerts',
  Fences: 'listGeofences',
  Rules: 'getRuleSettings',
  Ingest: 'getIngestHealth',
  Devices: 'getBrokerSecurity',
  Drivers: 'getDriverScores',
  Maintenance: 'getMaintenance',
  Costs: 'getFleetCost',
  History: 'getHistory',
  Settings: 'getAccess',
  Jobs: 'listJobs',
};

/** The tabs this user sees, in order. */
export function visibleTabs(access: Access | null): RightTab[] {
  return RIGHT_TABS.filter((t) => mayCall(access, TAB_NEEDS[t]));
}

/** On every (re)connection: who this screen is — resuming its session on a hub — then everything else. */
async function start(): Promise<void> {
  let access = await api.call('getAccess', {});
  const token = sessionStorage.getItem(SESSION_KEY);
  if (access.signInRequired && !access.user && token) {
    access = await api.call('resumeSession', { token, workstation: workstationName() }).catch(() => {
      sessionStorage.removeItem(SESSION_KEY);
      return access;
    });
  }
  useFleet.setState({ access });
  if (!access.user) return;
  await loadAll();
  if (access.signInRequired) useFleet.setState({ presence: await api.call('listPresence', {}) });
}

/** Wires API events into the store; call once at start-up. */
export function connectStore(): void {
  api.onConnection((connected) => {
    useFleet.setState({ connected });
    if (connected) start().catch((err) => useFleet.getState().setError(`Could not load data: ${(err as Error).message}`));
  });
  api.on('positions', (batch) => {
    useFleet.setState((s) => {
      const vehicles = { ...s.vehicles };
      for (const v of batch) vehicles[v.vehicleId] = v;
      return { vehicles, positionsVersion: s.positionsVersion + 1 };
    });
  });
  api.on('alertRaised', applyAlert);
  api.on('alertUpdated', applyAlert);
  api.on('status', (status) => useFleet.setState({ status }));
  api.on('geofencesChanged', (geofences) => useFleet.setState({ geofences }));
  api.on('presence', (presence) => useFleet.setState({ presence }));
  // a text or a receipt changed: the unread count is asked again (a small answer)
  api.on('messageUpdated', () => void loadUnread());
  setInterval(ageStatuses, AGE_EVERY_MS);
}
