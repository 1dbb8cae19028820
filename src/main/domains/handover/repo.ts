// The handover domain's SQL (operator_notes): the operator log.
import type Database from 'better-sqlite3';
import type { OperatorNote } from '../../../shared/contract/handover';

type Row = { id: number; ts_ms: number; author: string; subject_kind: string; subject_id: string | null; text: string };
const fromRow = (r: Row): OperatorNote => ({ id: r.id, tsMs: r.ts_ms, author: r.author, subject: r.subject_kind as OperatorNote['subject'], subjectId: r.subject_id, text: r.text });

export class NotesRepo {
  constructor(readonly db: Database.Database) {}

  add(n: Omit<OperatorNote, 'id'>): OperatorNote {
    const id = Number(this.db.prepare(`INSERT INTO operator_notes (ts_ms, author, subject_kind, subject_id, text) VALUES (?, ?, ?, ?, ?)`).run(n.tsMs, n.author, n.subject, n.subjectId, n.text).lastInsertRowid);
    return { ...n, id };
  }

  /** Notes newest first, filtered (parameters bound, never spliced). */
  list(q: { subject?: string; subjectId?: string; fromMs?: number; toMs?: number; limit: number }): OperatorNote[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM operator_notes WHERE (? IS NULL OR subject_kind = ?) AND (? IS NULL OR subject_id = ?) AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms DESC, id DESC LIMIT ?`,
        )
        .all(q.subject ?? null, q.subject ?? null, q.subjectId ?? null, q.subjectId ?? null, q.fromMs ?? 0, q.toMs ?? Number.MAX_SAFE_INTEGER, q.limit) as Row[]
    ).map(fromRow);
  }
}
