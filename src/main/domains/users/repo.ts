// The users domain's SQL (users, sessions): people, their roles and password hashes, and their sessions.
import type Database from 'better-sqlite3';
import type { Role, SessionInfo, User } from '../../../shared/contract/users';

export interface UserRow extends User {
  passwordHash: string;
}

export interface SessionRow {
  id: number;
  userId: number;
  workstation: string;
  address: string;
  startedMs: number;
  lastSeenMs: number;
  expiresMs: number;
  endedMs: number | null;
}

type UserDb = { id: number; name: string; role: string; password_hash: string; created_ms: number; disabled: number };
const userFromRow = (r: UserDb): UserRow => ({ id: r.id, name: r.name, role: r.role as Role, createdMs: r.created_ms, disabled: r.disabled === 1, passwordHash: r.password_hash });

/** A user as anything outside this repository sees them: never the password hash. */
export function publicUser({ passwordHash: _secret, ...user }: UserRow): User {
  return user;
}

export class UsersRepo {
  constructor(readonly db: Database.Database) {}

  count(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM users`).get() as { n: number }).n;
  }

  list(): User[] {
    return (this.db.prepare(`SELECT * FROM users ORDER BY name`).all() as UserDb[]).map((r) => publicUser(userFromRow(r)));
  }

  byName(name: string): UserRow | null {
    const r = this.db.prepare(`SELECT * FROM users WHERE name = ?`).get(name) as UserDb | undefined;
    return r ? userFromRow(r) : null;
  }

  byId(id: number): UserRow | null {
    const r = this.db.prepare(`SELECT * FROM users WHERE id = ?`).get(id) as UserDb | undefined;
    return r ? userFromRow(r) : null;
  }

  add(name: string, role: Role, passwordHash: string, nowMs: number): UserRow {
    const id = Number(this.db.prepare(`INSERT INTO users (name, role, password_hash, created_ms) VALUES (?, ?, ?, ?)`).run(name, role, passwordHash, nowMs).lastInsertRowid);
    return this.byId(id)!;
  }

  update(id: number, change: { role?: Role; passwordHash?: string; disabled?: boolean }): void {
    if (change.role !== undefined) this.db.prepare(`UPDATE users SET role = ? WHERE id = ?`).run(change.role, id);
    if (change.passwordHash !== undefined) this.db.prepare(`UPDATE users SET password_hash = ? WHERE id = ?`).run(change.passwordHash, id);
    if (change.disabled !== undefined) this.db.prepare(`UPDATE users SET disabled = ? WHERE id = ?`).run(change.disabled ? 1 : 0, id);
  }

  startSession(s: { tokenHash: string; userId: number; workstation: string; address: string; nowMs: number; expiresMs: number }): number {
    return Number(
      this.db
        .prepare(`INSERT INTO sessions (token_hash, user_id, workstation, address, started_ms, last_seen_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(s.tokenHash, s.userId, s.workstation, s.address, s.nowMs, s.nowMs, s.expiresMs).lastInsertRowid,
    );
  }

  session(tokenHash: string): SessionRow | null {
    return this.sessionWhere('token_hash', tokenHash);
  }

  sessionById(id: number): SessionRow | null {
    return this.sessionWhere('id', id);
  }

  private sessionWhere(column: 'token_hash' | 'id', value: string | number): SessionRow | null {
    const r = this.db.prepare(`SELECT id, user_id, workstation, address, started_ms, last_seen_ms, expires_ms, ended_ms FROM sessions WHERE ${column} = ?`).get(value) as
      | { id: number; user_id: number; workstation: string; address: string; started_ms: number; last_seen_ms: number; expires_ms: number; ended_ms: number | null }
      | undefined;
    return r ? { id: r.id, userId: r.user_id, workstation: r.workstation, address: r.address, startedMs: r.started_ms, lastSeenMs: r.last_seen_ms, expiresMs: r.expires_ms, endedMs: r.ended_ms } : null;
  }

  touch(id: number, nowMs: number, expiresMs: number): void {
    this.db.prepare(`UPDATE sessions SET last_seen_ms = ?, expires_ms = ? WHERE id = ? AND ended_ms IS NULL`).run(nowMs, expiresMs, id);
  }

  /** Ends one session, or every live session of a user; returns the sessions ended, with their users. */
  end(where: { id?: number; userId?: number }, nowMs: number, why: string): { id: number; userId: number }[] {
    const rows = this.db
      .prepare(`UPDATE sessions SET ended_ms = ?, ended_why = ? WHERE ended_ms IS NULL AND (id = ? OR user_id = ?) RETURNING id, user_id`)
      .all(nowMs, why, where.id ?? -1, where.userId ?? -1) as { id: number; user_id: number }[];
    return rows.map((r) => ({ id: r.id, userId: r.user_id }));
  }

  /** When the user's shift before this session ended (their newest other session's end or last use). */
  previousShiftEnd(userId: number, currentSessionId: number): number | null {
    const r = this.db.prepare(`SELECT max(coalesce(ended_ms, last_seen_ms)) AS t FROM sessions WHERE user_id = ? AND id <> ?`).get(userId, currentSessionId) as { t: number | null };
    return r.t;
  }

  /** Whether a user is still signed in somewhere. */
  hasLiveSession(userId: number, nowMs: number): boolean {
    return this.db.prepare(`SELECT 1 FROM sessions WHERE user_id = ? AND ended_ms IS NULL AND expires_ms > ? LIMIT 1`).get(userId, nowMs) !== undefined;
  }

  live(nowMs: number): SessionInfo[] {
    return (
      this.db
        .prepare(
          `SELECT s.id, u.name, u.role, s.workstation, s.address, s.started_ms, s.last_seen_ms, s.expires_ms FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.ended_ms IS NULL AND s.expires_ms > ? ORDER BY s.started_ms`,
        )
        .all(nowMs) as { id: number; name: string; role: string; workstation: string; address: string; started_ms: number; last_seen_ms: number; expires_ms: number }[]
    ).map((r) => ({ id: r.id, userName: r.name, role: r.role as Role, workstation: r.workstation, address: r.address, startedMs: r.started_ms, lastSeenMs: r.last_seen_ms, expiresMs: r.expires_ms }));
  }
}
