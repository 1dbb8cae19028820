// Predictive maintenance in the service: records, imported history, training in a worker thread with
// progress, the stored model, and the current ranking of vehicles by breakdown risk.
import { Worker } from 'node:worker_threads';
import type { MaintenanceOverview, MaintenanceRecord, MaintenanceRecordInput } from '../../../shared/contract/maintenance';
import { parseFeatureCsv } from '../../core/maintenance/evaluate';
import { CHECKS_PER_WEEK_KEY, checksPerWeekOf, expectedForCapacity, flagForCapacity, type OverviewCore, type OverviewMessage } from '../../core/maintenance/ranking';
import { readRecords, type TrainInput, type TrainMessage } from '../../core/maintenance/train-task';
import type { Store } from '../../core/storage/store';
import { readCsv } from '../../core/util/csv';
import { parseDateMs, VEHICLE_ID_PATTERN } from '../../core/telemetry/validate';
import { ApiError } from '../../api/api-error';
import { workerTask, WorkerTaskStopped } from '../../core/util/worker-task';

export const TARGET_RECALL = 0.8;


export class MaintenanceService {
  private training: MaintenanceOverview['training'] = { running: false, progress: 0, message: '' };
  private worker: Worker | null = null;

  constructor(
    private readonly store: () => Store,
    private readonly dbFile: string,
    private readonly workerPath: string,
    private readonly emit: (t: MaintenanceOverview['training']) => void,
    private readonly log: (line: string) => void,
  ) {}

  private db() {
    return this.store().db;
  }

  records(vehicleId?: string, limit = 500): MaintenanceRecord[] {
    const all = readRecords(this.db());
    return (vehicleId ? all.filter((r) => r.vehicleId === vehicleId) : all).reverse().slice(0, limit);
  }

  addRecord(r: MaintenanceRecordInput): MaintenanceRecord {
    const err = validateRecord(r);
    if (err) throw new ApiError('bad_request', err);
    const id = Number(
      this.db()
        .prepare(`INSERT INTO maintenance_records (vehicle_id, kind, ts_ms, odometer_km, cost, note) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(r.vehicleId.trim(), r.kind, Math.round(r.tsMs), r.odometerKm ?? null, r.cost ?? null, (r.note ?? '').slice(0, 500)).lastInsertRowid,
    );
    return { ...r, vehicleId: r.vehicleId.trim(), note: r.note ?? '', id };
  }

  deleteRecord(id: number): boolean {
    return this.db().prepare(`DELETE FROM maintenance_records WHERE id = ?`).run(id).changes === 1;
  }

  /** Imports records or feature history from CSV; bad lines are reported with the reason, good ones kept. */
  importCsv(kind: 'records' | 'history', text: string): { imported: number; errors: string[] } {
    if (typeof text !== 'string' || !text.trim()) throw new ApiError('bad_request', 'The file is empty.');
    if (text.length > 50 * 1024 * 1024) throw new ApiError('bad_request', 'The file is over 50 MiB.');
    if (kind === 'history') {
      let t;
      try {
        t = parseFeatureCsv(text);
      } catch (err) {
        throw new ApiError('bad_request', (err as Error).message);
      }
      const ins = this.db().prepare(`INSERT OR REPLACE INTO maintenance_history (week, vehicle_id, features, label) VALUES (?, ?, ?, ?)`);
      this.db().transaction(() => {
        for (let i = 0; i < t.y.length; i++) ins.run(t.week[i], t.vehicleId[i], JSON.stringify(t.x.map((c) => (Number.isNaN(c[i]!) ? null : c[i]))), t.y[i]);
      })();
      return { imported: t.y.length, errors: [] };
    }
    let csv: ReturnType<typeof readCsv>;
    try {
      csv = readCsv(text);
    } catch (err) {
      throw new ApiError('bad_request', (err as Error).message);
    }
    const col = csv.column;
    for (const need of ['vehicle_id', 'kind', 'date']) if (col(need) < 0) throw new ApiError('bad_request', `missing column "${need}" (expected vehicle_id, kind, date, odometer_km, cost, note)`);
    const errors: string[] = [];
    let imported = 0;
    this.db().transaction(() => {
      for (const { line, cells: c } of csv.rows) {
        const num = (n: string) => (col(n) >= 0 && (c[col(n)] ?? '').trim() !== '' ? Number(c[col(n)]) : null);
        const rec: MaintenanceRecordInput = {
          vehicleId: (c[col('vehicle_id')] ?? '').trim(),
          kind: (c[col('kind')] ?? '').trim().toLowerCase() as MaintenanceRecordInput['kind'],
          tsMs: parseDateMs(c[col('date')] ?? ''),
          odometerKm: num('odometer_km'),
          cost: num('cost'),
          // a note is the last column by habit, often with unquoted commas in it: keep them
          note: col('note') < 0 ? '' : (col('note') === csv.header.length - 1 ? c.slice(col('note')).join(',') : (c[col('note')] ?? '')).trim(),
        };
        const err = validateRecord(rec);
        if (err) errors.push(`line ${line}: ${err}`);
        else (this.addRecord(rec), imported++);
      }
    })();
    return { imported, errors: errors.slice(0, 50) };
  }

  private cache: { atMs: number; value: OverviewCore } | null = null;
  private pending: Promise<OverviewCore> | null = null;
  /** Bumped by every change, so an overview computed from older data is not kept. */
  private generation = 0;

  /**
   * The overview, recomputed at most every minute or after a change. It reads recent telemetry (on a
   * big database, seconds of work), so it is computed in a worker thread on its own read-only
   * connection: ingest and the UI carry on meanwhile. Callers at the same time share one computation.
   */
  async cachedOverview(nowMs = Date.now()): Promise<MaintenanceOverview> {
    while (!this.cache || nowMs - this.cache.atMs > 60_000) {
      const generation = this.generation;
      this.pending ??= this.overviewInWorker(nowMs).finally(() => (this.pending = null));
      const value = await this.pending;
      if (generation === this.generation) this.cache = { atMs: nowMs, value };
    }
    const checksPerWeek = this.checksPerWeek();
    const v = this.cache.value;
    return {
      ...v,
      ranking: flagForCapacity(v.ranking, checksPerWeek),
      capacity: { checksPerWeek, expected: expectedForCapacity(v.model?.capacity, checksPerWeek) },
      training: { ...this.training },
    };
  }

  /** Vehicles the workshop can check a week (Maintenance tab); that many of the riskiest are flagged. */
  checksPerWeek(): number {
    return checksPerWeekOf(this.store().settings);
  }

  setChecksPerWeek(n: number): void {
    this.store().settings.set(CHECKS_PER_WEEK_KEY, String(n));
  }

  private async overviewInWorker(nowMs: number): Promise<OverviewCore> {
    let m: OverviewMessage;
    try {
      m = await workerTask<OverviewMessage>(this.workerPath, 'maintenance-overview', { dbFile: this.dbFile, nowMs });
    } catch (err) {
      if (err instanceof WorkerTaskStopped) throw new ApiError('internal', 'The breakdown-risk ranking stopped before it finished.');
      throw new ApiError('internal', `Could not rank vehicles by breakdown risk: ${(err as Error).message}`);
    }
    if (m.type === 'overview') return m.value;
    throw new ApiError('internal', `Could not rank vehicles by breakdown risk: ${m.message}`);
  }

  invalidate(): void {
    this.cache = null;
    this.generation++;
  }

  /** Starts training in a worker thread (one at a time). */
  retrain(): boolean {
    if (this.worker) return false;
    const input: TrainInput = { dbFile: this.dbFile, nowMs: Date.now(), targetRecall: TARGET_RECALL, folds: 5 };
    const w = new Worker(this.workerPath, { workerData: { task: 'train-maintenance', input } });
    this.worker = w;
    this.training = { running: true, progress: 0, message: 'starting' };
    this.emit({ ...this.training });
    let last = 0;
    w.on('message', (m: TrainMessage) => {
      if (m.type === 'progress') {
        this.training = { running: true, progress: m.progress, message: m.message };
        const now = Date.now();
        if (now - last > 150) {
          last = now;
          this.emit({ ...this.training });
        }
      } else if (m.type === 'done') {
        this.db()
          .prepare(`INSERT INTO maintenance_models (trained_ms, model, metrics, threshold, rows, positives) VALUES (?, ?, ?, ?, ?, ?)`)
          .run(m.info.trainedMs, m.modelJson, JSON.stringify(m.info), m.info.threshold, m.info.rows, m.info.positives);
        // keep the last five models
        this.db().prepare(`DELETE FROM maintenance_models WHERE id NOT IN (SELECT id FROM maintenance_models ORDER BY id DESC LIMIT 5)`).run();
        this.invalidate();
        const auc = m.info.folds.reduce((a, f) => a + (Number.isNaN(f.auc) ? 0 : f.auc), 0) / Math.max(1, m.info.folds.length);
        this.training = { running: false, progress: 1, message: `trained on ${m.info.rows} vehicle-weeks (${m.info.positives} breakdowns); mean AUC ${auc.toFixed(3)}` };
      } else {
        this.training = { running: false, progress: 0, message: m.message };
        this.log(`maintenance: ${m.message}`);
      }
    });
    w.on('error', (err) => {
      this.training = { running: false, progress: 0, message: `Training failed: ${err.message}` };
      this.log(`maintenance worker: ${err.message}`);
    });
    w.on('exit', () => {
      this.worker = null;
      if (this.training.running) this.training = { running: false, progress: 0, message: 'Training stopped before it finished.' };
      this.emit({ ...this.training });
    });
    return true;
  }

  hasModel(): boolean {
    return (this.db().prepare(`SELECT count(*) AS n FROM maintenance_models`).get() as { n: number }).n > 0;
  }

  hasHistory(): boolean {
    return (this.db().prepare(`SELECT count(*) AS n FROM maintenance_history`).get() as { n: number }).n > 0;
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }
}

function validateRecord(r: MaintenanceRecordInput): string | null {
  if (!r || typeof r.vehicleId !== 'string' || !r.vehicleId.trim()) return 'vehicle id is required';
  if (!VEHICLE_ID_PATTERN.test(r.vehicleId)) return `"${r.vehicleId.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 70)}" is not a vehicle id (1–64 letters, digits or _ . : -)`;
  if (r.kind !== 'service' && r.kind !== 'breakdown') return 'kind must be "service" or "breakdown"';
  if (!Number.isFinite(r.tsMs)) return 'date is not a date (use ISO-8601, e.g. 2026-11-02)';
  if (r.odometerKm !== null && r.odometerKm !== undefined && !(Number.isFinite(r.odometerKm) && r.odometerKm >= 0)) return 'odometer must be a number ≥ 0';
  if (r.cost !== null && r.cost !== undefined && !(Number.isFinite(r.cost) && r.cost >= 0)) return 'cost must be a number ≥ 0';
  return null;
}

