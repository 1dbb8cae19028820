// The jobs domain's SQL (jobs, job_stops, job_events): parameters always bound.
import type Database from 'better-sqlite3';
import type { HistoryJobEvent, Job, JobEvent, JobStop, NewJob, NewStop } from '../../../shared/contract/jobs';

type JobRow = { id: number; ref: string; priority: string; notes: string; vehicle_class: string | null; status: string; vehicle_id: string | null; delivery: string; created_ms: number; created_by: string; updated_ms: number; sent_ms: number | null; answer_due_ms: number | null; depot_id: string | null };
type StopRow = { job_id: number; seq: number; kind: string; name: string; lat: number; lon: number; radius_m: number; fence_id: string | null; window_start_ms: number | null; window_end_ms: number | null; status: string; arrived_ms: number | null; departed_ms: number | null; done_ms: number | null; failed_reason: string | null };
type EventRow = { id: number; job_id: number; ts_ms: number; stop_seq: number | null; what: string; by: string; detail: string; vehicle_id: string | null };
const eventOf = (r: EventRow): JobEvent => ({ id: r.id, tsMs: r.ts_ms, jobId: r.job_id, vehicleId: r.vehicle_id, stopSeq: r.stop_seq, what: r.what, by: r.by, detail: r.detail });

/** A stop ready to store: its point known (a fence stop's is the fence's centre). */
export type ResolvedStop = NewStop & { lat: number; lon: number };

/** A job as stored, with what only the core needs (when it was sent, when an answer is due). */
export type StoredJob = Job & { sentMs: number | null; answerDueMs: number | null };

const stopOf = (r: StopRow): JobStop => ({
  seq: r.seq,
  kind: r.kind as JobStop['kind'],
  name: r.name,
  lat: r.lat,
  lon: r.lon,
  radiusM: r.radius_m,
  fenceId: r.fence_id,
  windowStartMs: r.window_start_ms,
  windowEndMs: r.window_end_ms,
  status: r.status as JobStop['status'],
  arrivedMs: r.arrived_ms,
  departedMs: r.departed_ms,
  doneMs: r.done_ms,
  failedReason: r.failed_reason,
});

export const OPEN_STATUSES = ['planned', 'offered', 'accepted', 'en_route', 'arrived'] as const;
/** Not finished: planned, offered, accepted, en route or arrived at a stop. */
export const isOpen = (status: Job['status']): boolean => (OPEN_STATUSES as readonly string[]).includes(status);

export class JobsRepo {
  constructor(readonly db: Database.Database) {}

  add(j: Omit<NewJob, 'stops'> & { stops: ResolvedStop[]; createdMs: number; createdBy: string }, defaultRadiusM: number): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(`INSERT INTO jobs (ref, priority, notes, vehicle_class, status, vehicle_id, delivery, created_ms, created_by, updated_ms) VALUES (?, ?, ?, ?, 'planned', NULL, 'not_sent', ?, ?, ?)`)
          .run(j.ref.trim(), j.priority ?? 'normal', j.notes ?? '', j.vehicleClass?.trim() || null, j.createdMs, j.createdBy, j.createdMs).lastInsertRowid,
      );
      const ins = this.db.prepare(`INSERT INTO job_stops (job_id, seq, kind, name, lat, lon, radius_m, fence_id, window_start_ms, window_end_ms, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`);
      j.stops.forEach((s, i) => ins.run(id, i + 1, s.kind ?? 'dropoff', s.name?.trim() || `Stop ${i + 1}`, s.lat, s.lon, s.radiusM ?? defaultRadiusM, s.fenceId ?? null, s.windowStartMs ?? null, s.windowEndMs ?? null));
      this.event(id, j.createdMs, null, 'planned', j.createdBy, `${j.stops.length} stop(s)`);
      return id;
    })();
  }

  get(id: number): StoredJob | null {
    const r = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(id) as JobRow | undefined;
    return r ? this.withStops([r])[0]! : null;
  }

  /** Newest first; `open` keeps those not finished. */
  list(q: { open?: boolean; vehicleId?: string; limit: number }): StoredJob[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs WHERE (? = 0 OR status IN ('planned','offered','accepted','en_route','arrived')) AND (? IS NULL OR vehicle_id = ?) ORDER BY id DESC LIMIT ?`,
      )
      .all(q.open ? 1 : 0, q.vehicleId ?? null, q.vehicleId ?? null, q.limit) as JobRow[];
    return this.withStops(rows);
  }

  /** Jobs created in a period, oldest first (reports). */
  inPeriod(fromMs: number, toMs: number): StoredJob[] {
    return this.withStops(this.db.prepare(`SELECT * FROM jobs WHERE created_ms >= ? AND created_ms < ? ORDER BY id`).all(fromMs, toMs) as JobRow[]);
  }

  /** Jobs a vehicle holds and has not finished, oldest first (the one it works on first); a depot's jobs (at headquarters) are worked there. */
  activeOf(vehicleId: string): StoredJob[] {
    const rows = this.db.prepare(`SELECT * FROM jobs WHERE vehicle_id = ? AND status IN ('offered','accepted','en_route','arrived') AND depot_id IS NULL ORDER BY id`).all(vehicleId) as JobRow[];
    return this.withStops(rows);
  }

  /** Every assigned, unfinished job of this FleetDesk's own (for stop tracking and answer deadlines; not a depot's, at headquarters). */
  allActive(): StoredJob[] {
    return this.withStops(this.db.prepare(`SELECT * FROM jobs WHERE vehicle_id IS NOT NULL AND status IN ('offered','accepted','en_route','arrived') AND depot_id IS NULL ORDER BY id`).all() as JobRow[]);
  }

  update(id: number, f: Partial<{ status: string; vehicleId: string | null; delivery: string; sentMs: number | null; answerDueMs: number | null }>, nowMs: number): void {
    const cur = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(id) as JobRow;
    this.db
      .prepare(`UPDATE jobs SET status = ?, vehicle_id = ?, delivery = ?, sent_ms = ?, answer_due_ms = ?, updated_ms = ? WHERE id = ?`)
      .run(f.status ?? cur.status, f.vehicleId !== undefined ? f.vehicleId : cur.vehicle_id, f.delivery ?? cur.delivery, f.sentMs !== undefined ? f.sentMs : cur.sent_ms, f.answerDueMs !== undefined ? f.answerDueMs : cur.answer_due_ms, nowMs, id);
  }

  updateStop(jobId: number, seq: number, f: Partial<{ status: string; arrivedMs: number; departedMs: number; doneMs: number; failedReason: string }>): void {
    const cur = this.db.prepare(`SELECT * FROM job_stops WHERE job_id = ? AND seq = ?`).get(jobId, seq) as StopRow;
    this.db
      .prepare(`UPDATE job_stops SET status = ?, arrived_ms = ?, departed_ms = ?, done_ms = ?, failed_reason = ? WHERE job_id = ? AND seq = ?`)
      .run(f.status ?? cur.status, f.arrivedMs ?? cur.arrived_ms, f.departedMs ?? cur.departed_ms, f.doneMs ?? cur.done_ms, f.failedReason ?? cur.failed_reason, jobId, seq);
  }

  event(jobId: number, tsMs: number, stopSeq: number | null, what: string, by: string, detail = ''): void {
    // the vehicle holding the job now is the one the event belongs to (an offer is recorded after the job changed hands)
    this.db
      .prepare(`INSERT INTO job_events (job_id, ts_ms, stop_seq, what, by, detail, vehicle_id) VALUES (?, ?, ?, ?, ?, ?, (SELECT vehicle_id FROM jobs WHERE id = ?))`)
      .run(jobId, tsMs, stopSeq, what, by, detail, jobId);
  }

  timeline(jobId: number): JobEvent[] {
    return (this.db.prepare(`SELECT * FROM job_events WHERE job_id = ? ORDER BY id`).all(jobId) as EventRow[]).map(eventOf);
  }

  /** What happened to the jobs a vehicle held in a range, oldest first, with each job's name and stop's place. */
  eventsOfVehicle(vehicleId: string, fromMs: number, toMs: number, limit: number): HistoryJobEvent[] {
    const rows = this.db
      .prepare(
        `SELECT e.*, j.ref AS ref, s.name AS stop_name, s.lat AS lat, s.lon AS lon FROM job_events e JOIN jobs j ON j.id = e.job_id
         LEFT JOIN job_stops s ON s.job_id = e.job_id AND s.seq = e.stop_seq
         WHERE e.vehicle_id = ? AND e.ts_ms >= ? AND e.ts_ms <= ? ORDER BY e.ts_ms, e.id LIMIT ?`,
      )
      .all(vehicleId, fromMs, toMs, limit) as (EventRow & { ref: string; stop_name: string | null; lat: number | null; lon: number | null })[];
    return rows.map((r) => ({ ...eventOf(r), ref: r.ref, stopName: r.stop_name, lat: r.lat, lon: r.lon }));
  }

  private withStops(rows: JobRow[]): StoredJob[] {
    if (rows.length === 0) return [];
    // every stop of these jobs in one query
    const stops = new Map<number, JobStop[]>(rows.map((r) => [r.id, []]));
    const all = this.db.prepare(`SELECT * FROM job_stops WHERE job_id IN (SELECT value FROM json_each(?)) ORDER BY job_id, seq`).all(JSON.stringify(rows.map((r) => r.id))) as StopRow[];
    for (const st of all) stops.get(st.job_id)!.push(stopOf(st));
    return rows.map((r) => {
      const s = stops.get(r.id)!;
      const next = s.find((x) => x.status === 'pending' || x.status === 'arrived');
      return {
        id: r.id,
        ref: r.ref,
        priority: r.priority as Job['priority'],
        notes: r.notes,
        vehicleClass: r.vehicle_class,
        status: r.status as Job['status'],
        vehicleId: r.vehicle_id,
        delivery: r.delivery as Job['delivery'],
        createdMs: r.created_ms,
        createdBy: r.created_by,
        updatedMs: r.updated_ms,
        nextStopSeq: next?.seq ?? null,
        nextStopEtaMs: null,
        stops: s,
        depotId: r.depot_id,
        sentMs: r.sent_ms,
        answerDueMs: r.answer_due_ms,
      };
    });
  }
}
