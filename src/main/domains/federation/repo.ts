// The federation domain's SQL: on a depot, the forwarding cursors and the batches they read; at
// headquarters, what depots sent, stored once however often it arrives. Parameters always bound.
import type Database from 'better-sqlite3';
import type { DepotStatus } from '../../../shared/contract/federation';
import type { DrivingWireRow, FederationStream, JobWire, MessageWireRow, TelemetryWireRow, VisitWireRow } from './wire';

/** The alert columns a depot forwards (its own id goes as the source id). */
const ALERT_COLUMNS = ['type', 'severity', 'vehicle_id', 'fence_id', 'fence_name', 'ts_ms', 'raised_ms', 'message', 'lat', 'lon', 'acknowledged_ms', 'acknowledged_by', 'repeat_count', 'last_seen_ms', 'resolved_ms', 'resolved_by', 'suppressed', 'escalated_ms', 'note', 'cleared_ms', 'claimed_by', 'claimed_ms'] as const;
/** An alert as forwarded: [depot's id, …ALERT_COLUMNS]. */
export type AlertWireRow = [number, ...(string | number | null)[]];

/** A job's columns as forwarded (its id goes apart, as the source id), its stops' and its timeline's. */
const JOB_COLUMNS = ['ref', 'priority', 'notes', 'vehicle_class', 'status', 'vehicle_id', 'delivery', 'created_ms', 'created_by', 'updated_ms', 'sent_ms', 'answer_due_ms'] as const;
const STOP_COLUMNS = ['seq', 'kind', 'name', 'lat', 'lon', 'radius_m', 'fence_id', 'window_start_ms', 'window_end_ms', 'status', 'arrived_ms', 'departed_ms', 'done_ms', 'failed_reason'] as const;
const EVENT_COLUMNS = ['ts_ms', 'stop_seq', 'what', 'by', 'detail', 'vehicle_id'] as const;
const MESSAGE_COLUMNS = ['vehicle_id', 'direction', 'text', 'ts_ms', 'by', 'state', 'state_ms', 'replies'] as const;
const JOB_STATUSES = ['planned', 'offered', 'accepted', 'rejected', 'en_route', 'arrived', 'done', 'failed', 'cancelled'];

const TELEMETRY_COLUMNS = 'id, vehicle_id, ts_ms, lat, lon, speed_kmh, heading_deg, fuel_level_pct, engine_rpm, odometer_km, dtc_codes, hdop, satellites, coolant_temp_c, ignition, driver_id, quality, source, attributes';

export interface Backlog {
  rows: number;
  oldestMs: number | null;
}

export class FederationRepo {
  /** The statements the forwarder runs several times a second, prepared once. */
  private readonly hot;
  constructor(readonly db: Database.Database) {
    this.hot = {
      cursor: db.prepare(`SELECT last_id FROM federation_cursors WHERE stream = ?`),
      telemetryAfter: db.prepare(`SELECT ${TELEMETRY_COLUMNS} FROM telemetry WHERE id > ? ORDER BY id LIMIT ?`).raw(true),
      // the newest row by id (its primary key: one step down the index, never a scan of the table)
      newest: db.prepare(`SELECT id AS m, received_ms AS r FROM telemetry ORDER BY id DESC LIMIT 1`),
      firstAfter: db.prepare(`SELECT received_ms FROM telemetry WHERE id > ? ORDER BY id LIMIT 1`),
      changesAfter: db.prepare(`SELECT id, kind, ref_id FROM federation_changes WHERE id > ? ORDER BY id LIMIT ?`),
      changesWaiting: db.prepare(`SELECT count(*) AS n FROM federation_changes WHERE id > ?`),
      drivingAfter: db.prepare(`SELECT id, type, vehicle_id, driver_id, ts_ms, start_ms, severity, value, threshold, lat, lon FROM driving_events WHERE id > ? ORDER BY id LIMIT ?`).raw(true),
      drivingTop: db.prepare(`SELECT max(id) AS m FROM driving_events`),
      visitsAfter: db
        .prepare(`SELECT e.id, e.vehicle_id, e.fence_id, e.event, e.ts_ms, e.since_ms, g.name FROM fence_events e LEFT JOIN geofences g ON g.id = e.fence_id WHERE e.id > ? AND e.depot_id IS NULL ORDER BY e.id LIMIT ?`)
        .raw(true),
      visitsTop: db.prepare(`SELECT max(id) AS m FROM fence_events`),
    };
  }

  // ---- depot ----

  /** Forwarding on: cursors from now on (what was committed before is not sent), changes recorded from now. */
  startForwarding(): void {
    this.db.transaction(() => {
      const maxId = (this.db.prepare(`SELECT max(id) AS m FROM telemetry`).get() as { m: number | null }).m ?? 0;
      this.db.prepare(`INSERT OR IGNORE INTO federation_cursors (stream, last_id) VALUES ('telemetry', ?)`).run(maxId);
      this.db.prepare(`INSERT OR IGNORE INTO federation_cursors (stream, last_id) VALUES ('changes', 0)`).run();
      const maxDriving = (this.db.prepare(`SELECT max(id) AS m FROM driving_events`).get() as { m: number | null }).m ?? 0;
      this.db.prepare(`INSERT OR IGNORE INTO federation_cursors (stream, last_id) VALUES ('driving', ?)`).run(maxDriving);
      const maxVisits = (this.db.prepare(`SELECT max(id) AS m FROM fence_events`).get() as { m: number | null }).m ?? 0;
      this.db.prepare(`INSERT OR IGNORE INTO federation_cursors (stream, last_id) VALUES ('visits', ?)`).run(maxVisits);
    })();
  }

  /** Forwarding off: no more changes recorded, cursors and pending changes dropped. */
  stopForwarding(): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM federation_cursors`).run();
      this.db.prepare(`DELETE FROM federation_changes`).run();
    })();
  }

  /**
   * Forward again — or for the first time, when forwarding was turned on later — what this depot committed
   * since a time: each stream's cursor moves back to its first row since then (never forward), and every
   * alert, job and driver message that changed since goes into the outbox. Headquarters stores each once,
   * so what it has already is not doubled. Refused (null) while forwarding is off.
   */
  sendAgainSince(sinceMs: number): { telemetryRows: number; changes: number; drivingEvents: number; visits: number } | null {
    return this.db.transaction(() => {
      if (!this.db.prepare(`SELECT 1 FROM federation_cursors WHERE stream = 'changes'`).get()) return null;
      const back = (stream: FederationStream, firstId: number | null) => {
        if (firstId === null) return 0;
        const before = this.cursor(stream);
        this.db.prepare(`UPDATE federation_cursors SET last_id = min(last_id, ?) WHERE stream = ?`).run(firstId - 1, stream);
        return Math.max(0, before - (firstId - 1));
      };
      const telemetryRows = back('telemetry', this.firstTelemetryReceivedSince(sinceMs));
      const drivingEvents = back('driving', (this.db.prepare(`SELECT min(id) AS m FROM driving_events WHERE ts_ms >= ?`).get(sinceMs) as { m: number | null }).m);
      const visits = back('visits', (this.db.prepare(`SELECT min(id) AS m FROM fence_events WHERE ts_ms >= ? AND depot_id IS NULL`).get(sinceMs) as { m: number | null }).m);
      const changes =
        this.db
          .prepare(
            `INSERT INTO federation_changes (kind, ref_id) SELECT 'alert', id FROM alerts WHERE depot_id IS NULL AND max(raised_ms, coalesce(last_seen_ms, 0), coalesce(acknowledged_ms, 0), coalesce(resolved_ms, 0), coalesce(cleared_ms, 0)) >= ? ORDER BY id`,
          )
          .run(sinceMs).changes +
        this.db.prepare(`INSERT INTO federation_changes (kind, ref_id) SELECT 'job', id FROM jobs WHERE depot_id IS NULL AND updated_ms >= ? ORDER BY id`).run(sinceMs).changes +
        this.db.prepare(`INSERT INTO federation_changes (kind, ref_id) SELECT 'message', id FROM driver_messages WHERE depot_id IS NULL AND max(ts_ms, state_ms) >= ? ORDER BY id`).run(sinceMs).changes;
      return { telemetryRows, changes, drivingEvents, visits };
    })();
  }

  /** The first telemetry row committed at or after a time (ids grow with commit time: a binary search on the key, no scan). */
  private firstTelemetryReceivedSince(sinceMs: number): number | null {
    const at = this.db.prepare(`SELECT id, received_ms FROM telemetry WHERE id >= ? ORDER BY id LIMIT 1`);
    const top = this.hot.newest.get() as { m: number; r: number } | undefined;
    if (!top || top.r < sinceMs) return null;
    let lo = 0;
    let hi = top.m;
    // invariant: the row at or after hi was received at or after sinceMs
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const r = at.get(mid) as { id: number; received_ms: number } | undefined;
      if (r && r.received_ms >= sinceMs) hi = mid;
      else lo = mid + 1;
    }
    return (at.get(lo) as { id: number } | undefined)?.id ?? null;
  }

  cursor(stream: FederationStream): number {
    return (this.hot.cursor.get(stream) as { last_id: number } | undefined)?.last_id ?? 0;
  }

  /** The upstream broker acknowledged everything up to `toId`: never sent again. */
  advance(stream: FederationStream, toId: number): void {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE federation_cursors SET last_id = max(last_id, ?) WHERE stream = ?`).run(toId, stream);
      if (stream === 'changes') this.db.prepare(`DELETE FROM federation_changes WHERE id <= ?`).run(toId);
    })();
  }

  /** Committed telemetry after the cursor, oldest first, as wire rows (quality flags and source included). */
  telemetryAfter(afterId: number, limit: number): TelemetryWireRow[] {
    return this.hot.telemetryAfter.all(afterId, limit) as TelemetryWireRow[];
  }

  /** Driving events (harsh braking, speeding, …) after the cursor, oldest first, as wire rows. */
  drivingAfter(afterId: number, limit: number): DrivingWireRow[] {
    return this.hot.drivingAfter.all(afterId, limit) as DrivingWireRow[];
  }

  /** Geofence enter/exit/dwell events after the cursor, with the fence's name, as wire rows. */
  visitsAfter(afterId: number, limit: number): VisitWireRow[] {
    return this.hot.visitsAfter.all(afterId, limit) as VisitWireRow[];
  }

  /** What changed after the cursor — alerts, jobs, driver messages — each once, in its state now. */
  changesAfter(afterId: number, limit: number): { toId: number; alerts: AlertWireRow[]; jobs: JobWire[]; messages: MessageWireRow[] } {
    const changes = this.hot.changesAfter.all(afterId, limit) as { id: number; kind: string; ref_id: number }[];
    if (changes.length === 0) return { toId: afterId, alerts: [], jobs: [], messages: [] };
    const idsOf = (kind: string) => JSON.stringify([...new Set(changes.filter((c) => c.kind === kind).map((c) => c.ref_id))]);
    const alerts = this.db.prepare(`SELECT id, ${ALERT_COLUMNS.join(', ')} FROM alerts WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`).raw(true).all(idsOf('alert')) as AlertWireRow[];
    const jobIds = idsOf('job');
    const jobs = (this.db.prepare(`SELECT id, ${JOB_COLUMNS.join(', ')} FROM jobs WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`).raw(true).all(jobIds) as unknown[][]).map(
      ([id, ...job]): JobWire => ({ id: id as number, job, stops: [], events: [] }),
    );
    const byId = new Map(jobs.map((j) => [j.id, j]));
    for (const [jobId, ...r] of this.db.prepare(`SELECT job_id, ${STOP_COLUMNS.join(', ')} FROM job_stops WHERE job_id IN (SELECT value FROM json_each(?)) ORDER BY job_id, seq`).raw(true).all(jobIds) as unknown[][]) byId.get(jobId as number)?.stops.push(r);
    for (const [jobId, ...r] of this.db.prepare(`SELECT job_id, ${EVENT_COLUMNS.join(', ')} FROM job_events WHERE job_id IN (SELECT value FROM json_each(?)) ORDER BY job_id, id`).raw(true).all(jobIds) as unknown[][]) byId.get(jobId as number)?.events.push(r);
    const messages = this.db.prepare(`SELECT id, ${MESSAGE_COLUMNS.join(', ')} FROM driver_messages WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`).raw(true).all(idsOf('message')) as MessageWireRow[];
    return { toId: changes[changes.length - 1]!.id, alerts, jobs, messages };
  }

  /** What is still to forward: rows and the oldest one's receipt time. */
  backlog(): { telemetry: Backlog; changes: Backlog; driving: Backlog; visits: Backlog; newestMs: number | null } {
    const t = this.cursor('telemetry');
    const top = (this.hot.newest.get() as { m: number; r: number } | undefined) ?? { m: null, r: null };
    const first = this.hot.firstAfter.get(t) as { received_ms: number } | undefined;
    const c = this.hot.changesWaiting.get(this.cursor('changes')) as { n: number };
    const d = Math.max(0, ((this.hot.drivingTop.get() as { m: number | null }).m ?? 0) - this.cursor('driving'));
    const v = Math.max(0, ((this.hot.visitsTop.get() as { m: number | null }).m ?? 0) - this.cursor('visits'));
    return { telemetry: { rows: Math.max(0, (top.m ?? 0) - t), oldestMs: first?.received_ms ?? null }, changes: { rows: c.n, oldestMs: null }, driving: { rows: d, oldestMs: null }, visits: { rows: v, oldestMs: null }, newestMs: top.r };
  }

  // ---- headquarters ----

  /** A depot's batch arrived: when, and how far behind the depot said it was. */
  noteBatch(depotId: string, nowMs: number, b: { depotNewestMs: number | null; backlogRows: number; backlogOldestMs: number | null; rows: number }): void {
    this.db
      .prepare(
        `INSERT INTO depots (id, first_seen_ms, last_batch_ms, depot_newest_ms, backlog_rows, backlog_oldest_ms, rows_received) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET last_batch_ms = excluded.last_batch_ms, depot_newest_ms = max(coalesce(depot_newest_ms, 0), coalesce(excluded.depot_newest_ms, 0)),
           backlog_rows = excluded.backlog_rows, backlog_oldest_ms = excluded.backlog_oldest_ms, rows_received = rows_received + excluded.rows_received`,
      )
      .run(depotId, nowMs, nowMs, b.depotNewestMs, b.backlogRows, b.backlogOldestMs, b.rows);
  }

  noteVehicles(depotId: string, vehicleIds: Iterable<string>): void {
    const s = this.db.prepare(`INSERT INTO vehicle_depots (vehicle_id, depot_id) VALUES (?, ?) ON CONFLICT(vehicle_id) DO UPDATE SET depot_id = excluded.depot_id`);
    for (const v of vehicleIds) s.run(v, depotId);
  }

  /** Stores a depot's alerts (new ones added, known ones brought to the depot's state): which were new. */
  applyAlerts(depotId: string, rows: readonly AlertWireRow[]): { added: number[]; updated: number[] } {
    const find = this.db.prepare(`SELECT id FROM alerts WHERE depot_id = ? AND source_id = ?`);
    const cols = ALERT_COLUMNS.join(', ');
    const upsert = this.db.prepare(
      `INSERT INTO alerts (${cols}, depot_id, source_id) VALUES (${ALERT_COLUMNS.map(() => '?').join(', ')}, ?, ?)
       ON CONFLICT(depot_id, source_id) WHERE depot_id IS NOT NULL DO UPDATE SET ${ALERT_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
       RETURNING id`,
    );
    const added: number[] = [];
    const updated: number[] = [];
    this.db.transaction(() => {
      for (const r of rows) {
        const [sourceId, ...values] = r;
        const known = find.get(depotId, sourceId) as { id: number } | undefined;
        const { id } = upsert.get(...values, depotId, sourceId) as { id: number };
        (known ? updated : added).push(id);
      }
    })();
    return { added, updated };
  }

  /**
   * A depot's jobs, each whole (its row, stops and timeline replace what was stored of it), one by one: a
   * job the database refuses is left out with why, the others stored. Returns the stored jobs' ids here.
   */
  applyJobs(depotId: string, jobs: readonly JobWire[]): { ids: number[]; refused: string[] } {
    const upsert = this.db.prepare(
      `INSERT INTO jobs (${JOB_COLUMNS.join(', ')}, depot_id, source_id) VALUES (${JOB_COLUMNS.map(() => '?').join(', ')}, ?, ?)
       ON CONFLICT(depot_id, source_id) WHERE depot_id IS NOT NULL DO UPDATE SET ${JOB_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
       RETURNING id`,
    );
    const insStop = this.db.prepare(`INSERT INTO job_stops (job_id, ${STOP_COLUMNS.join(', ')}) VALUES (?, ${STOP_COLUMNS.map(() => '?').join(', ')})`);
    const insEvent = this.db.prepare(`INSERT INTO job_events (job_id, ${EVENT_COLUMNS.join(', ')}) VALUES (?, ${EVENT_COLUMNS.map(() => '?').join(', ')})`);
    const ids: number[] = [];
    const refused: string[] = [];
    for (const w of jobs) {
      const why = badJob(w);
      if (why) {
        refused.push(`job ${String((w as Partial<JobWire>)?.id)}: ${why}`);
        continue;
      }
      try {
        // a savepoint each: one refused job leaves the batch's others stored
        this.db.transaction(() => {
          const { id } = upsert.get(...w.job, depotId, w.id) as { id: number };
          this.db.prepare(`DELETE FROM job_stops WHERE job_id = ?`).run(id);
          this.db.prepare(`DELETE FROM job_events WHERE job_id = ?`).run(id);
          for (const s of w.stops) insStop.run(id, ...s);
          for (const e of w.events) insEvent.run(id, ...e);
          ids.push(id);
        })();
      } catch (err) {
        refused.push(`job ${w.id}: ${(err as Error).message}`);
      }
    }
    return { ids, refused };
  }

  /** A depot's driver messages, stored once each (brought to the depot's state). Returns their ids here. */
  applyMessages(depotId: string, rows: readonly MessageWireRow[]): { ids: number[]; refused: string[] } {
    const upsert = this.db.prepare(
      `INSERT INTO driver_messages (${MESSAGE_COLUMNS.join(', ')}, depot_id, source_id) VALUES (${MESSAGE_COLUMNS.map(() => '?').join(', ')}, ?, ?)
       ON CONFLICT(depot_id, source_id) WHERE depot_id IS NOT NULL DO UPDATE SET ${MESSAGE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
       RETURNING id`,
    );
    const ids: number[] = [];
    const refused: string[] = [];
    for (const r of rows) {
      const ok = Array.isArray(r) && r.length === MESSAGE_COLUMNS.length + 1 && Number.isSafeInteger(r[0]) && typeof r[1] === 'string' && (r[2] === 'up' || r[2] === 'down') && typeof r[3] === 'string' && Number.isFinite(r[4]) && typeof r[5] === 'string' && typeof r[6] === 'string' && Number.isFinite(r[7]) && typeof r[8] === 'string';
      if (!ok) {
        refused.push(`message ${Array.isArray(r) ? String(r[0]) : '?'}: not a message row`);
        continue;
      }
      const [sourceId, ...values] = r;
      try {
        ids.push((upsert.get(...values, depotId, sourceId) as { id: number }).id);
      } catch (err) {
        refused.push(`message ${sourceId}: ${(err as Error).message}`);
      }
    }
    return { ids, refused };
  }

  /** The depot a vehicle reports through (headquarters; null: its own, or not known). */
  depotOfVehicle(vehicleId: string): string | null {
    return (this.db.prepare(`SELECT depot_id FROM vehicle_depots WHERE vehicle_id = ?`).get(vehicleId) as { depot_id: string } | undefined)?.depot_id ?? null;
  }

  /** A depot's driving events, stored once (one per vehicle, type and start). */
  applyDriving(rows: readonly DrivingWireRow[]): number {
    const ins = this.db.prepare(`INSERT OR IGNORE INTO driving_events (type, vehicle_id, driver_id, ts_ms, start_ms, severity, value, threshold, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    let added = 0;
    for (const [, ...values] of rows) added += ins.run(...values).changes;
    return added;
  }

  /** A new version of a depot's pushed fences: its number. */
  recordFencePush(depotId: string, fences: number, by: string, nowMs: number): number {
    const row = this.db
      .prepare(
        `INSERT INTO fence_pushes (depot_id, version, pushed_ms, pushed_by, fences) VALUES (?, 1, ?, ?, ?)
         ON CONFLICT(depot_id) DO UPDATE SET version = version + 1, pushed_ms = excluded.pushed_ms, pushed_by = excluded.pushed_by, fences = excluded.fences RETURNING version`,
      )
      .get(depotId, nowMs, by, fences) as { version: number };
    return row.version;
  }

  /** A new version of a depot's pushed rules: its number. */
  recordRulePush(depotId: string, by: string, nowMs: number): number {
    const row = this.db
      .prepare(
        `INSERT INTO rule_pushes (depot_id, version, pushed_ms, pushed_by) VALUES (?, 1, ?, ?)
         ON CONFLICT(depot_id) DO UPDATE SET version = version + 1, pushed_ms = excluded.pushed_ms, pushed_by = excluded.pushed_by RETURNING version`,
      )
      .get(depotId, nowMs, by) as { version: number };
    return row.version;
  }

  /** A depot's geofence events, stored once (by the depot's id for each), with the fence's name there. */
  applyVisits(depotId: string, rows: readonly VisitWireRow[]): number {
    const ins = this.db.prepare(`INSERT OR IGNORE INTO fence_events (vehicle_id, fence_id, event, ts_ms, since_ms, fence_name, depot_id, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    let added = 0;
    for (const [sourceId, vehicleId, fenceId, event, tsMs, sinceMs, name] of rows) added += ins.run(vehicleId, fenceId, event, tsMs, sinceMs, name, depotId, sourceId).changes;
    return added;
  }

  depots(): Omit<DepotStatus, 'stale' | 'behindMs' | 'vehicles'>[] {
    type Row = { id: string; first_seen_ms: number; last_batch_ms: number; depot_newest_ms: number | null; backlog_rows: number; backlog_oldest_ms: number | null; rows_received: number; version: number | null; pushed_ms: number | null; pushed_by: string | null; fences: number | null; r_version: number | null; r_pushed_ms: number | null; r_pushed_by: string | null };
    const sql = `SELECT d.*, p.version, p.pushed_ms, p.pushed_by, p.fences, r.version AS r_version, r.pushed_ms AS r_pushed_ms, r.pushed_by AS r_pushed_by
      FROM depots d LEFT JOIN fence_pushes p ON p.depot_id = d.id LEFT JOIN rule_pushes r ON r.depot_id = d.id ORDER BY d.id`;
    return (this.db.prepare(sql).all() as Row[]).map((r) => ({
      id: r.id,
      firstSeenMs: r.first_seen_ms,
      lastBatchMs: r.last_batch_ms,
      depotNewestMs: r.depot_newest_ms,
      backlogRows: r.backlog_rows,
      backlogOldestMs: r.backlog_oldest_ms,
      rowsReceived: r.rows_received,
      pushedFences: r.version === null ? null : { version: r.version, count: r.fences!, pushedMs: r.pushed_ms!, by: r.pushed_by! },
      pushedRules: r.r_version === null ? null : { version: r.r_version, pushedMs: r.r_pushed_ms!, by: r.r_pushed_by! },
    }));
  }

  vehiclesByDepot(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const r of this.db.prepare(`SELECT vehicle_id, depot_id FROM vehicle_depots ORDER BY vehicle_id`).all() as { vehicle_id: string; depot_id: string }[]) {
      const list = out.get(r.depot_id) ?? [];
      list.push(r.vehicle_id);
      out.set(r.depot_id, list);
    }
    return out;
  }

  /** The depot that owns an alert (null: this FleetDesk's own). */
  depotOfAlert(id: number): string | null {
    return (this.db.prepare(`SELECT depot_id FROM alerts WHERE id = ?`).get(id) as { depot_id: string | null } | undefined)?.depot_id ?? null;
  }
}

/** Why a wire job cannot be stored (null: it can). */
function badJob(w: JobWire): string | null {
  if (typeof w !== 'object' || w === null || !Number.isSafeInteger(w.id)) return 'no id';
  if (!Array.isArray(w.job) || w.job.length !== JOB_COLUMNS.length) return 'not a job row';
  const [ref, , , , status, vehicleId, , createdMs, createdBy, updatedMs] = w.job;
  if (typeof ref !== 'string' || !JOB_STATUSES.includes(status as string) || (vehicleId !== null && typeof vehicleId !== 'string') || !Number.isFinite(createdMs) || typeof createdBy !== 'string' || !Number.isFinite(updatedMs)) return 'bad job fields';
  if (!Array.isArray(w.stops) || !w.stops.every((s) => Array.isArray(s) && s.length === STOP_COLUMNS.length && Number.isSafeInteger(s[0]) && Number.isFinite(s[3]) && Number.isFinite(s[4]))) return 'bad stops';
  if (!Array.isArray(w.events) || !w.events.every((e) => Array.isArray(e) && e.length === EVENT_COLUMNS.length && Number.isFinite(e[0]) && typeof e[2] === 'string')) return 'bad timeline';
  return null;
}
