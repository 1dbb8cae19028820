// Everything the engine worker decides, for one batch of trusted fixes: geofence crossings and dwells,
// driving events (against fence speed limits where the vehicle is inside one) and vehicle health.
import type { EngineConfig } from '../../../shared/types';
import { GeofenceColumnSink, GeofenceEngine, type GeofenceColumns, type GeofenceEvent } from '../geofence/engine';
import type { IndexedFence } from '../geofence/fence-index';
import { DEFAULT_ENGINE_CONFIG } from '../rules/config';
import { DrivingDetector, type DrivingEventOut, type RuleInput } from '../rules/driving';
import { HealthDetector, type HealthEventOut } from '../rules/health';

/** EngineOutput with the geofence events in columns: what the worker sends (see GeofenceColumns). */
export type ColumnOutput = Omit<EngineOutput, 'geofence'> & { geofence: GeofenceColumns };

export interface EngineOutput {
  geofence: GeofenceEvent[];
  driving: DrivingEventOut[];
  health: HealthEventOut[];
}

export class FleetEngine {
  readonly geofences: GeofenceEngine;
  private readonly driving: DrivingDetector;
  private readonly health: HealthDetector;

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
    const out: EngineOutput = { geofence: [], driving: [], health: [] };
    this.geofences.prepare(batch);
    try {
      for (let i = 0; i < batch.length; i++) {
        const p = batch[i]!;
        if (!this.geofences.stepOne(p, i, out.geofence)) continue;
        this.driving.push(p, i, this.geofences.speedLimitAt(p.vehicleId, p.tsMs), out.driving);
        this.health.push(p, i, out.health);
      }
    } finally {
      this.geofences.finish();
    }
    return out;
  }
}
