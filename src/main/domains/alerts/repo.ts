// The alerts domain's SQL (alerts, suppressions): the queue — one open line per vehicle, type and fence, counting repeats — snoozes and mutes.
import type Database from 'better-sqlite3';
import type { Alert, AlertQuery, AlertSeverity, AlertType, Suppression } from '../../../shared/contract/alerts';

export interface NewAlert {
  type: AlertType;
  severity: AlertSeverity;
  vehicleId: string;
  fenceId: string | null;
  fenceName: string | null;
  tsMs: number;
  raisedMs: number;
  message: string;
  lat: number | null;
  lon: number | null;
  /** Covered by a snooze or mute when raised. */
  suppressed: boolean;
}

interface AlertRow {
  id: number;
  type: string;
  severity: string;
  vehicle_id: string;
  fence_id: string | null;
  fence_name: string | null;
  ts_ms: number;
  raised_ms: number;
  message: string;
  lat: number | null;
  lon: number | null;
  acknowledged_ms: number | null;
  acknowledged_by: string | null;
  repeat_count: number;
  last_seen_ms: number | null;
  resolved_ms: number | null;
  resolved_by: string | null;
  suppressed: number;
  escalated_ms: number | null;
  note: string | null;
  cleared_ms: number | null;
  claimed_by: string | null;
  claimed_ms: number | null;
  depot_id?: string | null;
}

function alertFromRow(r: AlertRow): Alert {
  return {
    id: r.id,
    type: r.type as AlertType,
    severity: r.severity as AlertSeverity,
    vehicleId: r.vehicle_id,
    fenceId: r.fence_id,
    fenceName: r.fence_name,
    tsMs: r.ts_ms,
    raisedMs: r.raised_ms,
    message: r.message,
    lat: r.lat,
    lon: r.lon,
    acknowledgedMs: r.acknowledged_ms,
    acknowledgedBy: r.acknowledged_by,
    repeatCount: r.repeat_count,
    lastSeenMs: r.last_seen_ms ?? r.ts_ms,
    resolvedMs: r.resolved_ms,
    resolvedBy: r.resolved_by,
    suppressed: r.suppressed === 1,
    escalatedMs: r.escalated_ms,
    note: r.note,
    clearedMs: r.cleared_ms,
    claimedBy: r.claimed_by,
    claimedMs: r.claimed_ms,
    depotId: r.depot_id ?? null,
  };
}


export class AlertsRepo {
  private readonly stmts;

  constructor(readonly db: Database.Database) {
    this.stmts = {
      insertAlert: this.db.prepare(
        `INSERT INTO alerts (type, severity, vehicle_id, fence_id, fence_name, ts_ms, raised_ms, message, lat, lon, last_seen_ms, suppressed)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ),
      // One statement per value of `suppressed`, as a literal: with `suppressed = ?` SQLite (STAT4) re-plans
      // the statement at every call, since the value decides whether the partial index alerts_open_severity
      // applies — ~12 µs per alert, every time.
      openDuplicate: this.db.prepare(
        `SELECT id FROM alerts WHERE vehicle_id = ? AND type = ? AND fence_id IS ? AND acknowledged_ms IS NULL AND suppressed = 0 ORDER BY id DESC LIMIT 1`,
      ),
      openDuplicateSuppressed: this.db.prepare(
        `SELECT id FROM alerts WHERE vehicle_id = ? AND type = ? AND fence_id IS ? AND acknowledged_ms IS NULL AND suppressed = 1 ORDER BY id DESC LIMIT 1`,
      ),
      repeatAlert: this.db.prepare(
        `UPDATE alerts SET repeat_count = repeat_count + 1, last_seen_ms = max(coalesce(last_seen_ms, ts_ms), ?), lat = ?, lon = ?, message = ? WHERE id = ? RETURNING *`,
      ),
      alertById: this.db.prepare(`SELECT * FROM alerts WHERE id = ?`),
      ackAlert: this.db.prepare(
        `UPDATE alerts SET acknowledged_ms = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_ms IS NULL`,
      ),
    };
  }

  /**
   * Stores new alerts (inside the caller's transaction). An alert whose (vehicle, type, fence) already has
   * an open, unacknowledged alert (equally suppressed or not) is folded into it (repeat count, last seen,
   * latest message) rather than stored again: the dispatcher sees one line, not one per crossing.
   */
  record(alerts: readonly NewAlert[]): { raised: Alert[]; repeated: Alert[] } {
    const s = this.stmts;
    const raised: Alert[] = [];
    const repeated = new Map<number, Alert>();
    for (const a of alerts) {
      const sup = a.suppressed ? 1 : 0;
      const open = (a.suppressed ? s.openDuplicateSuppressed : s.openDuplicate).get(a.vehicleId, a.type, a.fenceId) as { id: number } | undefined;
      if (open) {
        repeated.set(open.id, alertFromRow(s.repeatAlert.get(a.tsMs, a.lat, a.lon, a.message, open.id) as AlertRow));
        continue;
      }
      raised.push(alertFromRow(s.insertAlert.get(a.type, a.severity, a.vehicleId, a.fenceId, a.fenceName, a.tsMs, a.raisedMs, a.message, a.lat, a.lon, a.tsMs, sup) as AlertRow));
    }
    // an alert raised and repeated in the same batch is reported once, as raised, with its count
    const raisedIds = new Set(raised.map((r) => r.id));
    for (let i = 0; i < raised.length; i++) if (repeated.has(raised[i]!.id)) raised[i] = repeated.get(raised[i]!.id)!;
    return { raised, repeated: [...repeated.values()].filter((r) => !raisedIds.has(r.id)) };
  }

  /** Alerts newest first (or most severe first), filtered; parameters are bound, never spliced. */
  list(q: AlertQuery & { limit: number }): Alert[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (!q.includeAcknowledged) where.push('acknowledged_ms IS NULL');
    if (!q.includeSuppressed) where.push('suppressed = 0');
    if (q.severity?.length) (where.push(`severity IN (${q.severity.map(() => '?').join(',')})`), args.push(...q.severity));
    if (q.types?.length) (where.push(`type IN (${q.types.map(() => '?').join(',')})`), args.push(...q.types));
    if (q.vehicleId) (where.push('vehicle_id = ?'), args.push(q.vehicleId));
    if (q.fromMs !== undefined) (where.push('coalesce(last_seen_ms, ts_ms) >= ?'), args.push(q.fromMs));
    if (q.toMs !== undefined) (where.push('ts_ms < ?'), args.push(q.toMs));
    const order =
      q.sort === 'severity'
        ? `CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, coalesce(last_seen_ms, ts_ms) DESC, id DESC`
        : `coalesce(last_seen_ms, ts_ms) DESC, id DESC`;
    args.push(q.limit);
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
    return (this.db.prepare(sql).all(...args) as AlertRow[]).map(alertFromRow);
  }

  get(id: number): Alert | null {
    const row = this.stmts.alertById.get(id) as AlertRow | undefined;
    return row ? alertFromRow(row) : null;
  }

  /** Marks an alert acknowledged; acknowledging twice keeps the first who and when. */
  acknowledge(id: number, by: string, atMs: number, note?: string): Alert | null {
    this.stmts.ackAlert.run(atMs, by, id);
    if (note) this.addNote(id, note);
    return this.get(id);
  }

  /** Resolves an alert (acknowledging it too if nobody had); resolving twice keeps the first. */
  resolve(id: number, by: string, atMs: number, note?: string): Alert | null {
    this.db
      .prepare(
        `UPDATE alerts SET resolved_ms = ?, resolved_by = ?, acknowledged_ms = coalesce(acknowledged_ms, ?), acknowledged_by = coalesce(acknowledged_by, ?), claimed_by = NULL, claimed_ms = NULL
         WHERE id = ? AND resolved_ms IS NULL`,
      )
      .run(atMs, by, atMs, by, id);
    if (note) this.addNote(id, note);
    return this.get(id);
  }

  /** Acknowledges or resolves several lines at once, with one note, in one transaction; the lines that exist. */
  many(action: 'acknowledge' | 'resolve', ids: readonly number[], by: string, atMs: number, note?: string): Alert[] {
    return this.db.transaction(() => ids.map((id) => this[action](id, by, atMs, note)).filter((a): a is Alert => a !== null))();
  }

  /** `by` takes the line (or gives it back, with null); resolved lines cannot be claimed. */
  claim(id: number, by: string | null, atMs: number): Alert | null {
    this.db.prepare(`UPDATE alerts SET claimed_by = ?, claimed_ms = ? WHERE id = ? AND (resolved_ms IS NULL OR ? IS NULL)`).run(by, by === null ? null : atMs, id, by);
    return this.get(id);
  }

  /** Gives back every line `by` holds (they signed out); the lines released. */
  releaseAllBy(by: string): Alert[] {
    return (this.db.prepare(`UPDATE alerts SET claimed_by = NULL, claimed_ms = NULL WHERE claimed_by = ? RETURNING *`).all(by) as AlertRow[]).map(alertFromRow);
  }

  /** A note is added below any earlier one (several people may write on the same line). */
  private addNote(id: number, note: string): void {
    this.db.prepare(`UPDATE alerts SET note = CASE WHEN note IS NULL THEN ? ELSE note || char(10) || ? END WHERE id = ?`).run(note, note, id);
  }

  /**
   * The condition behind open lines of a vehicle, type and fence ended at `clear.tsMs`: lines last seen
   * before it resolve by themselves (acknowledged too, so they leave the queue), saying why and when.
   */
  clear(clear: { vehicleId: string; type: AlertType; fenceId: string | null; tsMs: number; reason: string }, atMs: number): Alert[] {
    const by = `FleetDesk: ${clear.reason}`.slice(0, 120);
    const rows = this.db
      .prepare(
        `UPDATE alerts SET resolved_ms = ?, resolved_by = ?, cleared_ms = ?, acknowledged_ms = coalesce(acknowledged_ms, ?), acknowledged_by = coalesce(acknowledged_by, ?)
         WHERE vehicle_id = ? AND type = ? AND fence_id IS ? AND resolved_ms IS NULL AND coalesce(last_seen_ms, ts_ms) <= ? RETURNING *`,
      )
      .all(atMs, by, clear.tsMs, atMs, by, clear.vehicleId, clear.type, clear.fenceId, clear.tsMs) as AlertRow[];
    return rows.map(alertFromRow);
  }

  /** Open, unresolved alerts of a vehicle and type (e.g. "offline" when the vehicle reports again). */
  openIds(vehicleId: string, type: AlertType): number[] {
    return (this.db.prepare(`SELECT id FROM alerts WHERE vehicle_id = ? AND type = ? AND resolved_ms IS NULL AND acknowledged_ms IS NULL`).all(vehicleId, type) as { id: number }[]).map((r) => r.id);
  }

  /**
   * A snooze or mute is an answer to the alerts it covers: their open lines are marked handled
   * (acknowledged, by whom and how) and leave the open count. A snooze never covers a critical alert.
   */
  handleBySuppression(vehicleId: string, type: string | null, includeCritical: boolean, by: string, atMs: number): Alert[] {
    const rows = this.db
      .prepare(
        `UPDATE alerts SET acknowledged_ms = ?, acknowledged_by = ?
         WHERE vehicle_id = ? AND (? IS NULL OR type = ?) AND acknowledged_ms IS NULL AND resolved_ms IS NULL
           AND (? = 1 OR severity <> 'critical') RETURNING *`,
      )
      .all(atMs, by, vehicleId, type, type, includeCritical ? 1 : 0) as AlertRow[];
    return rows.map(alertFromRow);
  }

  /** Marks unacknowledged critical alerts raised at or before `raisedBeforeMs` as escalated; returns them. */
  escalateDue(raisedBeforeMs: number, nowMs: number): Alert[] {
    const rows = this.db
      .prepare(
        `UPDATE alerts SET escalated_ms = ? WHERE severity = 'critical' AND acknowledged_ms IS NULL AND suppressed = 0
           AND escalated_ms IS NULL AND raised_ms <= ? RETURNING *`,
      )
      .all(nowMs, raisedBeforeMs) as AlertRow[];
    return rows.map(alertFromRow);
  }

  addSuppression(x: Omit<Suppression, 'id'>): Suppression {
    const res = this.db
      .prepare(`INSERT INTO suppressions (kind, vehicle_id, type, until_ms, reason, created_by, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(x.kind, x.vehicleId, x.type, x.untilMs, x.reason, x.createdBy, x.createdMs);
    return { ...x, id: Number(res.lastInsertRowid) };
  }

  /** Suppressions still running at the time (ended ones stay in the table as a record). */
  activeSuppressions(nowMs: number): Suppression[] {
    const rows = this.db.prepare(`SELECT * FROM suppressions WHERE until_ms > ? ORDER BY until_ms`).all(nowMs) as {
      id: number; kind: string; vehicle_id: string; type: string | null; until_ms: number; reason: string; created_by: string; created_ms: number;
    }[];
    return rows.map((r) => ({ id: r.id, kind: r.kind as Suppression['kind'], vehicleId: r.vehicle_id, type: r.type as AlertType | null, untilMs: r.until_ms, reason: r.reason, createdBy: r.created_by, createdMs: r.created_ms }));
  }

  /** Ends a suppression now (kept as a record). */
  endSuppression(id: number, nowMs: number): boolean {
    return this.db.prepare(`UPDATE suppressions SET until_ms = ? WHERE id = ? AND until_ms > ?`).run(nowMs, id, nowMs).changes === 1;
  }

  /** Open (unacknowledged) alerts by severity. */
  openBySeverity(): Record<AlertSeverity, number> {
    const out: Record<AlertSeverity, number> = { info: 0, warning: 0, critical: 0 };
    for (const r of this.db.prepare(`SELECT severity, count(*) AS n FROM alerts INDEXED BY alerts_open_severity WHERE acknowledged_ms IS NULL AND suppressed = 0 GROUP BY severity`).all() as { severity: AlertSeverity; n: number }[]) {
      out[r.severity] = r.n;
    }
    return out;
  }

  countEscalated(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM alerts INDEXED BY alerts_open_escalated WHERE escalated_ms IS NOT NULL AND acknowledged_ms IS NULL`).get() as { n: number }).n;
  }

  countOpen(): number {
    const s = this.openBySeverity();
    return s.info + s.warning + s.critical;
  }
}
