// What ETAs are computed from: the speeds learned from the last 28 days (in a worker, at most hourly)
// and since when each vehicle has stood still.
import type { TelemetryPoint } from '../../../shared/contract/vehicles';
import { learnEtaModel, STOPPED_KMH, type EtaModel } from '../../core/eta/eta';
import type { EtaLearnInput, EtaLearnMessage } from '../../core/eta/learn-task';
import { workerTask } from '../../core/util/worker-task';

export class EtaModels {
  private current: { model: EtaModel; learnedMs: number } | null = null;
  private learning: Promise<void> | null = null;
  private readonly stoppedSince = new Map<string, number>();

  constructor(private readonly d: { dbFile: string; workerPath: string; log: (line: string) => void }) {}

  /** Trusted fixes, as they are committed: who stopped when. */
  observe(points: readonly TelemetryPoint[]): void {
    for (const p of points) {
      if (p.speedKmh !== null && p.speedKmh >= STOPPED_KMH) this.stoppedSince.delete(p.vehicleId);
      else if (!this.stoppedSince.has(p.vehicleId) || this.stoppedSince.get(p.vehicleId)! > p.tsMs) this.stoppedSince.set(p.vehicleId, p.tsMs);
    }
  }

  stoppedSinceMs(vehicleId: string): number | null {
    return this.stoppedSince.get(vehicleId) ?? null;
  }

  /**
   * The model, learned at most once an hour. Learning reads every vehicle's month (seconds on a big
   * database), so it runs in a worker thread; meanwhile answers use the model of the hour before, and only
   * the very first ETA waits for one.
   */
  async model(nowMs: number): Promise<EtaModel> {
    if (!this.current || nowMs - this.current.learnedMs > 3_600_000) {
      this.learning ??= this.learnInWorker(nowMs)
        .then(
          (model) => {
            this.current = { model, learnedMs: nowMs };
          },
          (err: Error) => {
            this.d.log(`could not learn ETA speeds from history: ${err.message}`);
            // answer from current speeds for now, and try again in a minute
            this.current ??= { model: learnEtaModel([], timeZone()), learnedMs: nowMs - 3_600_000 + 60_000 };
          },
        )
        .finally(() => (this.learning = null));
      if (!this.current) await this.learning;
    }
    return this.current!.model;
  }

  private async learnInWorker(nowMs: number): Promise<EtaModel> {
    const input: EtaLearnInput = { dbFile: this.d.dbFile, fromMs: nowMs - 28 * 86_400_000, toMs: nowMs, timeZone: timeZone() };
    const m = await workerTask<EtaLearnMessage>(this.d.workerPath, 'eta-model', input);
    if (m.type === 'model') return m.value;
    throw new Error(m.message);
  }
}

function timeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
