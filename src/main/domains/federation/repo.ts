// The federation domain's SQL: on a depot, the forwarding cursors and the batches they read; at
// headquarters, what depots sent, stored once however often it arrives. Parameters always bound.
import type Database from 'better-sqlite3';
import type { DepotStatus } from '../../../shared/contract/federation';
import type { DrivingWireRow, FederationStream, TelemetryWireRow, VisitWireRow } from './wire';

/** The alert columns a depot forwards (its own id goes as the source id). */
const ALERT_COLUMNS = ['type', 'severity', 'vehicle_id', 'fence_id', 'fence_name', 'ts_ms', 'raised_ms', 'message', 'lat', 'lon', 'acknowledged_ms', 'acknowledged_by', 'repeat_count', 'last_seen_ms', 'resolved_ms', 'resolved_by', 'suppressed', 'escalated_ms', 'note', 'cleared_ms', 'claimed_by', 'claimed_ms'] as const;
/** An alert as forwarded: [depot's id, …ALERT_COLUMNS]. */
export type AlertWireRow = [number, ...(string | number | null)[]];

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
      changesAfter: db.prepare(`SELECT id, ref_id FROM federation_changes WHERE id > ? AND kind = 'alert' ORDER BY id LIMIT ?`),
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

  /** Changed alerts after the cursor: [change id, wire row], one per alert (its state now). */
  changesAfter(afterId: number, limit: number): { toId: number; alerts: AlertWireRow[] } {
    const changes = this.hot.changesAfter.all(afterId, limit) as { id: number; ref_id: number }[];
    if (changes.length === 0) return { toId: afterId, alerts: [] };
    const ids = [...new Set(changes.map((c) => c.ref_id))];
    const alerts = this.db.prepare(`SELECT id, ${ALERT_COLUMNS.join(', ')} FROM alerts WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`).raw(true).all(JSON.stringify(ids)) as AlertWireRow[];
    return { toId: changes[changes.length - 1]!.id, alerts };
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

  /** A depot's geofence events, stored once (by the depot's id for each), with the fence's name there. */
  applyVisits(depotId: string, rows: readonly VisitWireRow[]): number {
    const ins = this.db.prepare(`INSERT OR IGNORE INTO fence_events (vehicle_id, fence_id, event, ts_ms, since_ms, fence_name, depot_id, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    let added = 0;
    for (const [sourceId, vehicleId, fenceId, event, tsMs, sinceMs, name] of rows) added += ins.run(vehicleId, fenceId, event, tsMs, sinceMs, name, depotId, sourceId).changes;
    return added;
  }

  depots(): Omit<DepotStatus, 'stale' | 'behindMs' | 'vehicles'>[] {
    type Row = { id: string; first_seen_ms: number; last_batch_ms: number; depot_newest_ms: number | null; backlog_rows: number; backlog_oldest_ms: number | null; rows_received: number; version: number | null; pushed_ms: number | null; pushed_by: string | null; fences: number | null };
    return (this.db.prepare(`SELECT d.*, p.version, p.pushed_ms, p.pushed_by, p.fences FROM depots d LEFT JOIN fence_pushes p ON p.depot_id = d.id ORDER BY d.id`).all() as Row[]).map((r) => ({
      id: r.id,
      firstSeenMs: r.first_seen_ms,
      lastBatchMs: r.last_batch_ms,
      depotNewestMs: r.depot_newest_ms,
      backlogRows: r.backlog_rows,
      backlogOldestMs: r.backlog_oldest_ms,
      rowsReceived: r.rows_received,
      pushedFences: r.version === null ? null : { version: r.version, count: r.fences!, pushedMs: r.pushed_ms!, by: r.pushed_by! },
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
