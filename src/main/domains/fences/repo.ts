// The fences domain's SQL (geofences, vehicle_fence_state, fence_events): the fences, who is inside which, and every crossing.
import type Database from 'better-sqlite3';
import type { FenceGeometry, FenceRules, Geofence, GeofenceCategory } from '../../../shared/contract/fences';
import type { FenceVisit } from '../../../shared/contract/history';

interface GeofenceRow {
  id: string;
  name: string;
  category: string;
  color: string;
  geometry: string;
  rules: string | null;
  created_ms: number;
  updated_ms: number;
}

function geofenceFromRow(r: GeofenceRow): Geofence {
  return {
    id: r.id,
    name: r.name,
    category: r.category as GeofenceCategory,
    color: r.color,
    geometry: JSON.parse(r.geometry) as FenceGeometry,
    rules: r.rules ? (JSON.parse(r.rules) as FenceRules) : {},
    createdMs: r.created_ms,
    updatedMs: r.updated_ms,
  };
}


export interface FenceEvent {
  vehicleId: string;
  fenceId: string;
  event: 'enter' | 'exit' | 'dwell';
  tsMs: number;
  sinceMs: number;
}

export class FencesRepo {
  private readonly stmts;

  constructor(readonly db: Database.Database) {
    this.stmts = {
      insertFenceEvent: this.db.prepare(`INSERT INTO fence_events (vehicle_id, fence_id, event, ts_ms, since_ms) VALUES (?, ?, ?, ?, ?)`),
      enterFence: this.db.prepare(
        `INSERT OR REPLACE INTO vehicle_fence_state (vehicle_id, fence_id, since_ms) VALUES (?, ?, ?)`,
      ),
      exitFence: this.db.prepare(`DELETE FROM vehicle_fence_state WHERE vehicle_id = ? AND fence_id = ?`),
    };
  }

  /** The engine's crossings (inside the caller's transaction): membership for restarts, events for visits. */
  recordEvents(events: readonly FenceEvent[]): void {
    const s = this.stmts;
    for (const m of events) {
      if (m.event === 'enter') s.enterFence.run(m.vehicleId, m.fenceId, m.sinceMs);
      else if (m.event === 'exit') s.exitFence.run(m.vehicleId, m.fenceId);
      s.insertFenceEvent.run(m.vehicleId, m.fenceId, m.event, m.tsMs, m.sinceMs);
    }
  }

  list(): Geofence[] {
    return (this.db.prepare(`SELECT * FROM geofences ORDER BY name, id`).all() as GeofenceRow[]).map(geofenceFromRow);
  }

  get(id: string): Geofence | null {
    const row = this.db.prepare(`SELECT * FROM geofences WHERE id = ?`).get(id) as GeofenceRow | undefined;
    return row ? geofenceFromRow(row) : null;
  }

  upsert(f: Geofence): void {
    this.db
      .prepare(
        `INSERT INTO geofences (id, name, category, color, geometry, rules, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, category = excluded.category, color = excluded.color,
           geometry = excluded.geometry, rules = excluded.rules, updated_ms = excluded.updated_ms`,
      )
      .run(f.id, f.name, f.category, f.color, JSON.stringify(f.geometry), JSON.stringify(f.rules ?? {}), f.createdMs, f.updatedMs);
  }

  delete(id: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare(`DELETE FROM vehicle_fence_state WHERE fence_id = ?`).run(id);
      return this.db.prepare(`DELETE FROM geofences WHERE id = ?`).run(id).changes === 1;
    })();
  }

  membership(): { vehicleId: string; fenceId: string; sinceMs: number }[] {
    const rows = this.db.prepare(`SELECT * FROM vehicle_fence_state`).all() as {
      vehicle_id: string;
      fence_id: string;
      since_ms: number;
    }[];
    return rows.map((r) => ({ vehicleId: r.vehicle_id, fenceId: r.fence_id, sinceMs: r.since_ms }));
  }

  /** Fence visits overlapping a range, from the engine's enter/exit records (a visit begun earlier shows its real entry time). */
  visits(vehicleId: string | null, fromMs: number, toMs: number, fenceId: string | null = null): FenceVisit[] {
    const rows = this.db
      .prepare(
        `SELECT e.vehicle_id, e.fence_id, e.event, e.ts_ms, e.since_ms, coalesce(g.name, e.fence_name) AS fence_name FROM fence_events e
         LEFT JOIN geofences g ON g.id = e.fence_id
         WHERE ${fenceId === null ? '' : 'e.fence_id = ? AND '}(? IS NULL OR e.vehicle_id = ?) AND e.ts_ms >= ? AND e.ts_ms < ? AND e.event IN ('enter', 'exit')
         ORDER BY e.vehicle_id, e.ts_ms, e.id`,
      )
      .all(...(fenceId === null ? [] : [fenceId]), vehicleId, vehicleId, fromMs, toMs) as { vehicle_id: string; fence_id: string; event: string; ts_ms: number; since_ms: number; fence_name: string | null }[];
    const open = new Map<string, FenceVisit>();
    const out: FenceVisit[] = [];
    for (const r of rows) {
      const key = `${r.vehicle_id}\u0000${r.fence_id}`;
      if (r.event === 'enter') {
        const v: FenceVisit = { vehicleId: r.vehicle_id, fenceId: r.fence_id, fenceName: r.fence_name ?? r.fence_id, enterMs: r.since_ms, exitMs: null, durationS: null };
        open.set(key, v);
        out.push(v);
      } else {
        const v = open.get(key);
        if (v) {
          v.exitMs = r.ts_ms;
          v.durationS = Math.round((r.ts_ms - v.enterMs) / 1000);
          open.delete(key);
        } else {
          // entered before the range began
          out.push({ vehicleId: r.vehicle_id, fenceId: r.fence_id, fenceName: r.fence_name ?? r.fence_id, enterMs: r.since_ms, exitMs: r.ts_ms, durationS: Math.round((r.ts_ms - r.since_ms) / 1000) });
        }
      }
    }
    // still inside at the end of the range, having entered before it: the membership table knows
    const inside = this.db
      .prepare(
        `SELECT s.vehicle_id, s.fence_id, s.since_ms, g.name AS fence_name FROM vehicle_fence_state s LEFT JOIN geofences g ON g.id = s.fence_id
         WHERE (? IS NULL OR s.fence_id = ?) AND (? IS NULL OR s.vehicle_id = ?) AND s.since_ms < ?`,
      )
      .all(fenceId, fenceId, vehicleId, vehicleId, fromMs) as { vehicle_id: string; fence_id: string; since_ms: number; fence_name: string | null }[];
    // (a set, not a scan of `out` per row: a fleet-wide report has thousands of each)
    const listed = new Set(out.map((v) => `${v.vehicleId}\u0000${v.fenceId}\u0000${v.enterMs}`));
    for (const r of inside) {
      if (listed.has(`${r.vehicle_id}\u0000${r.fence_id}\u0000${r.since_ms}`)) continue;
      out.push({ vehicleId: r.vehicle_id, fenceId: r.fence_id, fenceName: r.fence_name ?? r.fence_id, enterMs: r.since_ms, exitMs: null, durationS: null });
    }
    return out.sort((a, b) => a.vehicleId.localeCompare(b.vehicleId) || a.enterMs - b.enterMs);
  }
}
