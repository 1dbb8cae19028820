// The drivers domain's SQL (driving_events, driver_assignments): what scoring counts, and who drove which vehicle when.
import type Database from 'better-sqlite3';
import type { DriverAssignment, DrivingEvent } from '../../../shared/contract/drivers';

export class DriversRepo {
  private readonly stmts;

  constructor(readonly db: Database.Database) {
    this.stmts = {
      insertDrivingEvent: this.db.prepare(
        `INSERT OR IGNORE INTO driving_events (type, vehicle_id, driver_id, ts_ms, start_ms, severity, value, threshold, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /** Driving events from the engine (inside the caller's transaction); one per vehicle, type and start. */
  recordEvents(events: readonly Omit<DrivingEvent, 'id'>[]): void {
    for (const d of events) this.stmts.insertDrivingEvent.run(d.type, d.vehicleId, d.driverId, d.tsMs, d.startMs, d.severity, d.value, d.threshold, d.lat, d.lon);
  }

  listEvents(q: { fromMs: number; toMs: number; vehicleId?: string; driverId?: string; limit?: number }): DrivingEvent[] {
    const where = ['ts_ms >= ?', 'ts_ms < ?'];
    const args: unknown[] = [q.fromMs, q.toMs];
    if (q.vehicleId) (where.push('vehicle_id = ?'), args.push(q.vehicleId));
    if (q.driverId) (where.push('driver_id = ?'), args.push(q.driverId));
    args.push(q.limit ?? 100_000);
    const rows = this.db.prepare(`SELECT * FROM driving_events WHERE ${where.join(' AND ')} ORDER BY ts_ms, id LIMIT ?`).all(...args) as {
      id: number; type: string; vehicle_id: string; driver_id: string | null; ts_ms: number; start_ms: number; severity: number; value: number; threshold: number; lat: number; lon: number;
    }[];
    return rows.map((r) => ({ id: r.id, type: r.type as DrivingEvent['type'], vehicleId: r.vehicle_id, driverId: r.driver_id, tsMs: r.ts_ms, startMs: r.start_ms, severity: r.severity, value: r.value, threshold: r.threshold, lat: r.lat, lon: r.lon }));
  }

  listAssignments(): DriverAssignment[] {
    return (this.db.prepare(`SELECT id, vehicle_id, driver_id, start_ms, end_ms FROM driver_assignments ORDER BY start_ms DESC`).all() as { id: number; vehicle_id: string; driver_id: string; start_ms: number; end_ms: number | null }[]).map((r) => ({
      id: r.id,
      vehicleId: r.vehicle_id,
      driverId: r.driver_id,
      startMs: r.start_ms,
      endMs: r.end_ms,
    }));
  }

  addAssignment(a: Omit<DriverAssignment, 'id'>): DriverAssignment {
    const id = Number(this.db.prepare(`INSERT INTO driver_assignments (vehicle_id, driver_id, start_ms, end_ms) VALUES (?, ?, ?, ?)`).run(a.vehicleId, a.driverId, a.startMs, a.endMs).lastInsertRowid);
    return { ...a, id };
  }

  deleteAssignment(id: number): boolean {
    return this.db.prepare(`DELETE FROM driver_assignments WHERE id = ?`).run(id).changes === 1;
  }
}
