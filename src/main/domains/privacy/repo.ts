// The privacy domain's SQL: privacy rules (privacy_rules).
import type Database from 'better-sqlite3';
import type { FenceSchedule } from '../../../shared/contract/fences';
import type { PrivacyRule, PrivacyRuleInput } from '../../../shared/contract/privacy';

export class PrivacyRepo {
  constructor(readonly db: Database.Database) {}

  list(): PrivacyRule[] {
    return (this.db.prepare(`SELECT * FROM privacy_rules ORDER BY kind, subject_id, id`).all() as { id: number; kind: string; subject_id: string; schedule: string | null; note: string; created_ms: number }[]).map((r) => ({
      id: r.id,
      kind: r.kind as PrivacyRule['kind'],
      subjectId: r.subject_id,
      schedule: r.schedule ? (JSON.parse(r.schedule) as FenceSchedule) : null,
      note: r.note,
      createdMs: r.created_ms,
    }));
  }

  save(r: PrivacyRuleInput, nowMs: number): PrivacyRule {
    const schedule = r.schedule ? JSON.stringify(r.schedule) : null;
    let id = r.id;
    if (id !== undefined && this.db.prepare(`UPDATE privacy_rules SET kind = ?, subject_id = ?, schedule = ?, note = ? WHERE id = ?`).run(r.kind, r.subjectId, schedule, r.note, id).changes === 1) {
      // updated in place
    } else {
      id = Number(this.db.prepare(`INSERT INTO privacy_rules (kind, subject_id, schedule, note, created_ms) VALUES (?, ?, ?, ?, ?)`).run(r.kind, r.subjectId, schedule, r.note, nowMs).lastInsertRowid);
    }
    return this.list().find((x) => x.id === id)!;
  }

  delete(id: number): boolean {
    return this.db.prepare(`DELETE FROM privacy_rules WHERE id = ?`).run(id).changes === 1;
  }
}
