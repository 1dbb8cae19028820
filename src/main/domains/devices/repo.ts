// The devices domain's SQL (device_credentials): vehicles' broker secrets, as scrypt hashes only.
import type Database from 'better-sqlite3';

export class DevicesRepo {
  constructor(readonly db: Database.Database) {}

  list(): { vehicleId: string; createdMs: number }[] {
    return (this.db.prepare(`SELECT vehicle_id, created_ms FROM device_credentials ORDER BY vehicle_id`).all() as { vehicle_id: string; created_ms: number }[]).map(
      (r) => ({ vehicleId: r.vehicle_id, createdMs: r.created_ms }),
    );
  }

  secretHash(vehicleId: string): string | null {
    const row = this.db.prepare(`SELECT secret_hash FROM device_credentials WHERE vehicle_id = ?`).get(vehicleId) as { secret_hash: string } | undefined;
    return row?.secret_hash ?? null;
  }

  set(vehicleId: string, secretHash: string, nowMs: number): void {
    this.db
      .prepare(`INSERT INTO device_credentials (vehicle_id, secret_hash, created_ms) VALUES (?, ?, ?) ON CONFLICT(vehicle_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_ms = excluded.created_ms`)
      .run(vehicleId, secretHash, nowMs);
  }

  delete(vehicleId: string): boolean {
    return this.db.prepare(`DELETE FROM device_credentials WHERE vehicle_id = ?`).run(vehicleId).changes === 1;
  }
}
