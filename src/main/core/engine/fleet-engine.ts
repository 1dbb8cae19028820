// Everything the engine worker decides, for one batch of trusted fixes: geofence crossings and dwells,
// driving events (against fence speed limits where the vehicle is inside one) and vehicle health.
import type { EngineConfig } from '../../../shared/contract/rules';
import { GeofenceColumnSink, GeofenceEngine, type GeofenceColumns, type GeofenceEvent, type VehicleFenceState } from '../geofence/engine';
import type { IndexedFence } from '../geofence/fence-index';
import { DEFAULT_ENGINE_CONFIG } from '../rules/config';
import { DrivingDetector, type DriverState, type DrivingEventOut, type RuleInput } from '../rules/driving';
import { HealthDetector, type HealthClearedOut, type HealthEventOut, type HealthState } from '../rules/health';

/** A vehicle's state in each rule set, found with one lookup per fix instead of one per rule set. */
interface VehicleStates {
  fence: VehicleFenceState;
  driving: DriverState;
  health: HealthState;
}

/** EngineOutput with the geofence events in columns: what the worker sends (see GeofenceColumns). */
export type ColumnOutput = Omit<EngineOutput, 'geofence'> & { geofence: GeofenceColumns };

export interface EngineOutput {
  geofence: GeofenceEvent[];
  driving: DrivingEventOut[];
  health: HealthEventOut[];
  /** Health conditions that ended (their alerts resolve by themselves). */
  cleared: HealthClearedOut[];
}

export class FleetEngine {
  readonly geofences: GeofenceEngine;
  private readonly driving: DrivingDetector;
  private readonly health: HealthDetector;
  private readonly vehicles = new Map<string, VehicleStates>();

  constructor(fences: Iterable<IndexedFence> = [], config: EngineConfig = DEFAULT_ENGINE_CONFIG) {
    this.geofences = new GeofenceEngine(fences);
    this.driving = new DrivingDetector(config);
    this.health = new HealthDetector(config);
  }

  setConfig(config: EngineConfig): void {
    this.driving.setConfig(config);
    this.health.setConfig(config);
  }

  private readonly sink = new GeofenceColumnSink();

  /** As step, with the geofence events in columns (what the worker sends: no object per event). */
  stepToColumns(batch: readonly RuleInput[]): ColumnOutput {
    this.geofences.sink = this.sink;
    try {
      const out = this.step(batch);
      return { ...out, geofence: this.sink.take() };
    } finally {
      this.geofences.sink = null;
    }
  }

  /** Fixes in evaluation order (time order per vehicle); stale fixes are skipped by every rule. */
  step(batch: readonly RuleInput[]): EngineOutput {
    const out: EngineOutput = { geofence: [], driving: [], health: [], cleared: [] };
    this.geofences.prepare(batch);
    try {
      for (let i = 0; i < batch.length; i++) {
        const p = batch[i]!;
        let v = this.vehicles.get(p.vehicleId);
        if (v === undefined) {
          const id = p.vehicleId;
          v = { fence: this.geofences.vehicle(id), driving: this.driving.vehicle(id), health: this.health.vehicle(id) };
          this.vehicles.set(id, v);
        }
        if (!this.geofences.stepOne(p, i, out.geofence, v.fence)) continue;
        this.driving.push(p, i, this.geofences.speedLimitIn(v.fence, p.tsMs), out.driving, v.driving);
        this.health.push(p, i, out.health, v.health, out.cleared);
      }
    } finally {
      this.geofences.finish();
    }
    return out;
  }
}
