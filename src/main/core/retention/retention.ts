// Retention: raw points older than the window are thinned to one trusted point per vehicle per interval
// (history stays drawable), in short transactions that yield between slices so ingest never waits long.
import type { Store } from '../storage/store';

export interface RetentionSettings {
  /** Raw points are kept this long, then downsampled. */
  rawRetentionDays: number; // days; default 90
  /** Downsampled history keeps one trusted point per vehicle per this interval. */
  downsampleIntervalMs: number; // ms; default 60,000 (one per minute)
  /** Dead letters are deleted after this long. */
  deadLetterRetentionDays: number; // days; default 30
}

export const DEFAULT_RETENTION: RetentionSettings = { rawRetentionDays: 90, downsampleIntervalMs: 60_000, deadLetterRetentionDays: 30 };

const SLICE_MS = 6 * 3_600_000; // one transaction covers 6 hours of one vehicle
const WATERMARK_KEY = 'retention.downsampledUntilMs';

export interface RetentionResult {
  deletedPoints: number;
  deletedDeadLetters: number;
  slices: number;
  /** Everything before this is downsampled. */
  downsampledUntilMs: number;
}

/** One pass. `pause` runs between slices (the service passes a setImmediate so ingest interleaves). */
export async function runRetention(
  store: Store,
  nowMs: number,
  settings: RetentionSettings = DEFAULT_RETENTION,
  pause: () => Promise<void> = () => new Promise((r) => setImmediate(r)),
): Promise<RetentionResult> {
  const db = store.db;
  const cutoff = nowMs - settings.rawRetentionDays * 86_400_000;
  const interval = Math.max(1000, Math.floor(settings.downsampleIntervalMs));
  // Slices are aligned to the interval so a bucket never straddles two slices.
  const alignedCutoff = cutoff - (((cutoff % interval) + interval) % interval);
  const from0 = Number(store.settings.get(WATERMARK_KEY) ?? 0);
  const result: RetentionResult = { deletedPoints: 0, deletedDeadLetters: 0, slices: 0, downsampledUntilMs: Math.max(from0, alignedCutoff) };
  if (alignedCutoff > from0) {
    const thin = db.prepare(`
      DELETE FROM telemetry
      WHERE vehicle_id = ? AND ts_ms >= ? AND ts_ms < ?
        AND (quality IS NOT NULL OR ts_ms NOT IN (
          SELECT min(ts_ms) FROM telemetry
          WHERE vehicle_id = ? AND ts_ms >= ? AND ts_ms < ? AND quality IS NULL
          GROUP BY ts_ms / CAST(? AS INTEGER)))`); // better-sqlite3 binds numbers as REAL
    const vehicles = (db.prepare(`SELECT DISTINCT vehicle_id AS id FROM telemetry WHERE ts_ms < ?`).all(alignedCutoff) as { id: string }[]).map((r) => r.id);
    for (const v of vehicles) {
      const first = (db.prepare(`SELECT min(ts_ms) AS t FROM telemetry WHERE vehicle_id = ? AND ts_ms >= ?`).get(v, from0) as { t: number | null }).t;
      if (first === null || first >= alignedCutoff) continue;
      for (let a = first - (((first % interval) + interval) % interval); a < alignedCutoff; a += SLICE_MS) {
        const b = Math.min(a + SLICE_MS, alignedCutoff);
        result.deletedPoints += thin.run(v, a, b, v, a, b, interval).changes;
        result.slices++;
        await pause();
      }
    }
    store.settings.set(WATERMARK_KEY, String(alignedCutoff));
  }
  result.deletedDeadLetters = db.prepare(`DELETE FROM dead_letters WHERE received_ms < ?`).run(nowMs - settings.deadLetterRetentionDays * 86_400_000).changes;
  return result;
}
