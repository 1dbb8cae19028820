// The audit log's SQL (audit_log): who exported, unlocked or changed what, and when.
import type Database from 'better-sqlite3';
import type { AuditEntry } from '../../../shared/contract/exports';

export class AuditRepo {
  constructor(readonly db: Database.Database) {}

  add(entry: { tsMs: number; actor: string; action: string; detail: string }): void {
    this.db.prepare(`INSERT INTO audit_log (ts_ms, actor, action, detail) VALUES (?, ?, ?, ?)`).run(entry.tsMs, entry.actor, entry.action, entry.detail);
  }

  list(limit: number): AuditEntry[] {
    return (this.db.prepare(`SELECT id, ts_ms, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?`).all(limit) as { id: number; ts_ms: number; actor: string; action: string; detail: string }[]).map((r) => ({
      id: r.id,
      tsMs: r.ts_ms,
      actor: r.actor,
      action: r.action,
      detail: r.detail,
    }));
  }
}
