// UI state (zustand), normalised by id; fed by the API's events, refetched whenever the connection returns.
import { create } from 'zustand';
import type { Alert, Geofence, SystemStatus, VehicleState } from '../../../shared/types';
import { api } from '../lib/api';

export interface FleetState {
  connected: boolean;
  vehicles: Record<string, VehicleState>;
  /** Increments on every position batch; imperative layers watch it instead of diffing. */
  positionsVersion: number;
  alerts: Record<number, Alert>;
  geofences: Geofence[];
  status: SystemStatus | null;
  selectedVehicleId: string | null;
  /** A request to centre the map, bumped on each click so repeated clicks re-centre. */
  focus: { vehicleId: string; seq: number } | null;
  showAcknowledged: boolean;
  lastError: string | null;
  select(vehicleId: string | null, centre?: boolean): void;
  acknowledge(alertId: number): Promise<void>;
  setShowAcknowledged(v: boolean): void;
  setError(message: string | null): void;
}

export const useFleet = create<FleetState>((set, get) => ({
  connected: false,
  vehicles: {},
  positionsVersion: 0,
  alerts: {},
  geofences: [],
  status: null,
  selectedVehicleId: null,
  focus: null,
  showAcknowledged: false,
  lastError: null,
  select(vehicleId, centre = true) {
    set((s) => ({
      selectedVehicleId: vehicleId,
      focus: vehicleId && centre ? { vehicleId, seq: (s.focus?.seq ?? 0) + 1 } : s.focus,
    }));
  },
  async acknowledge(alertId) {
    try {
      const updated = await api.call('acknowledgeAlert', { alertId, by: 'dispatcher' });
      set((s) => ({ alerts: { ...s.alerts, [updated.id]: updated } }));
    } catch (err) {
      get().setError(`Could not acknowledge alert: ${(err as Error).message}`);
    }
  },
  setShowAcknowledged(v) {
    set({ showAcknowledged: v });
    void loadAlerts();
  },
  setError(message) {
    set({ lastError: message });
  },
}));

async function loadAlerts(): Promise<void> {
  const list = await api.call('listAlerts', { limit: 500, includeAcknowledged: useFleet.getState().showAcknowledged });
  useFleet.setState({ alerts: Object.fromEntries(list.map((a) => [a.id, a])) });
}

async function loadAll(): Promise<void> {
  const [vehicles, geofences, status] = await Promise.all([
    api.call('listVehicles', {}),
    api.call('listGeofences', {}),
    api.call('getStatus', {}),
  ]);
  useFleet.setState((s) => ({
    vehicles: Object.fromEntries(vehicles.map((v) => [v.vehicleId, v])),
    positionsVersion: s.positionsVersion + 1,
    geofences,
    status,
  }));
  await loadAlerts();
}

/** Wires API events into the store; call once at start-up. */
export function connectStore(): void {
  api.onConnection((connected) => {
    useFleet.setState({ connected });
    if (connected) loadAll().catch((err) => useFleet.getState().setError(`Could not load data: ${(err as Error).message}`));
  });
  api.on('positions', (batch) => {
    useFleet.setState((s) => {
      const vehicles = { ...s.vehicles };
      for (const v of batch) vehicles[v.vehicleId] = v;
      return { vehicles, positionsVersion: s.positionsVersion + 1 };
    });
  });
  api.on('alertRaised', (a) => {
    useFleet.setState((s) => ({ alerts: { ...s.alerts, [a.id]: a } }));
  });
  api.on('alertUpdated', (a) => {
    useFleet.setState((s) => {
      if (a.acknowledgedMs !== null && !s.showAcknowledged) {
        const { [a.id]: _gone, ...rest } = s.alerts;
        return { alerts: rest };
      }
      return { alerts: { ...s.alerts, [a.id]: a } };
    });
  });
  api.on('status', (status) => useFleet.setState({ status }));
  api.on('geofencesChanged', (geofences) => useFleet.setState({ geofences }));
}
