// The messages' SQL (driver_messages): parameters always bound.
import type Database from 'better-sqlite3';
import type { DriverMessage } from '../../../shared/contract/jobs';

type Row = { id: number; vehicle_id: string; direction: string; text: string; ts_ms: number; by: string; state: string; state_ms: number; replies: string };
const fromRow = (r: Row): DriverMessage => ({
  id: r.id,
  vehicleId: r.vehicle_id,
  direction: r.direction as DriverMessage['direction'],
  text: r.text,
  tsMs: r.ts_ms,
  by: r.by,
  state: r.state as DriverMessage['state'],
  stateMs: r.state_ms,
  replies: JSON.parse(r.replies) as string[],
});

export class MessagesRepo {
  constructor(readonly db: Database.Database) {}

  add(m: Omit<DriverMessage, 'id'>): DriverMessage {
    const id = Number(
      this.db
        .prepare(`INSERT INTO driver_messages (vehicle_id, direction, text, ts_ms, by, state, state_ms, replies) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(m.vehicleId, m.direction, m.text, m.tsMs, m.by, m.state, m.stateMs, JSON.stringify(m.replies)).lastInsertRowid,
    );
    return { ...m, id };
  }

  get(id: number): DriverMessage | null {
    const r = this.db.prepare(`SELECT * FROM driver_messages WHERE id = ?`).get(id) as Row | undefined;
    return r ? fromRow(r) : null;
  }

  setState(id: number, state: DriverMessage['state'], atMs: number): DriverMessage {
    this.db.prepare(`UPDATE driver_messages SET state = ?, state_ms = ? WHERE id = ?`).run(state, atMs, id);
    return this.get(id)!;
  }

  /** The conversation with a vehicle, oldest first (the last `limit`). */
  list(vehicleId: string, limit: number): DriverMessage[] {
    return (this.db.prepare(`SELECT * FROM (SELECT * FROM driver_messages WHERE vehicle_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id`).all(vehicleId, limit) as Row[]).map(fromRow);
  }

  /** Messages to a vehicle that its device has not confirmed (sent again when it subscribes). */
  unconfirmed(vehicleId: string): DriverMessage[] {
    return (this.db.prepare(`SELECT * FROM driver_messages WHERE vehicle_id = ? AND direction = 'down' AND state IN ('queued', 'sent') AND depot_id IS NULL ORDER BY id`).all(vehicleId) as Row[]).map(fromRow);
  }

  /** Drivers' texts nobody here has read (a depot's, at headquarters, are read there). */
  unreadFromDrivers(vehicleId?: string): DriverMessage[] {
    return (this.db.prepare(`SELECT * FROM driver_messages WHERE direction = 'up' AND state = 'received' AND depot_id IS NULL AND (? IS NULL OR vehicle_id = ?) ORDER BY id`).all(vehicleId ?? null, vehicleId ?? null) as Row[]).map(fromRow);
  }
}
