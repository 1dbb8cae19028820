// Who is calling: sign-in (scrypt passwords, throttled per name and per address, never locking the admin
// out for good), sessions that expire after a while without use and can be revoked, and the caller each
// transport attaches to a call. Local mode (the desktop app, a `serve` on loopback without
// --require-sign-in) needs no sign-in: this computer's operator is the caller.
import { createHash, randomBytes } from 'node:crypto';
import type { Caller } from '../../../shared/api';
import { ROLES, type Access, type PresenceEntry, type Role } from '../../../shared/contract/users';
import { LoginGuard } from '../../core/security/login-guard';
import { hashSecret, verifySecret } from '../../core/security/broker-policy';
import type { Store } from '../../core/storage/store';
import { ApiError } from '../../api/api-error';
import { localCaller } from '../../api/handlers';
import type { UserRow } from './repo';

export const MIN_PASSWORD = 8;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export class Accounts {
  private readonly guard = new LoginGuard();
  /** Connections by session, so ending a session closes its sockets at once. */
  private readonly bySession = new Map<number, Set<() => void>>();
  private lastTouch = new Map<number, number>();

  constructor(
    private readonly store: Store,
    readonly o: {
      signInRequired: boolean;
      sessionIdleMs: number;
      log: (line: string) => void;
      /** A user's last session ended (signed out, revoked, expired): what they held is let go. */
      signedOff?: (userName: string) => void;
      /** Someone signed in or a session ended: who is on changed. */
      presenceChanged?: () => void;
    },
  ) {}

  /**
   * A caller for one transport connection (a WebSocket), which `close` ends when its session ends. A desktop
   * that shares itself asks for sign-in on its network connections only (`requireSignIn`).
   */
  connectionCaller(address: string, close: () => void, requireSignIn = this.o.signInRequired): Caller {
    if (!requireSignIn) return localCaller(address);
    const caller: Caller = {
      user: null,
      local: false,
      address,
      sessionId: null,
      attach: (session) => {
        caller.detach();
        caller.user = session.user;
        caller.sessionId = session.id;
        let set = this.bySession.get(session.id);
        if (!set) this.bySession.set(session.id, (set = new Set()));
        set.add(close);
        this.o.presenceChanged?.();
      },
      detach: () => {
        const set = caller.sessionId !== null ? this.bySession.get(caller.sessionId) : undefined;
        caller.user = null;
        caller.sessionId = null;
        // the last screen of a session gone: its user is no longer on at that workstation
        if (set?.delete(close) && set.size === 0) this.o.presenceChanged?.();
      },
      verify: () => this.verify(caller),
    };
    return caller;
  }

  /** null while the caller's session holds (its use keeps it alive); else why it ended. */
  private verify(caller: Caller): string | null {
    if (caller.sessionId === null) return null;
    const now = Date.now();
    const s = this.store.users.sessionById(caller.sessionId);
    const user = s ? this.store.users.byId(s.userId) : null;
    if (!s || s.endedMs !== null || s.expiresMs <= now || !user || user.disabled) {
      caller.detach();
      return 'Your session has ended: sign in again.';
    }
    caller.user = { id: user.id, name: user.name, role: user.role }; // a role changed meanwhile applies now
    if (now - (this.lastTouch.get(s.id) ?? 0) > 60_000) {
      this.lastTouch.set(s.id, now);
      this.store.users.touch(s.id, now, now + this.o.sessionIdleMs);
    }
    return null;
  }

  /** Who is on now: live sessions with a screen connected, one line each. */
  presence(): PresenceEntry[] {
    return this.store.users
      .live(Date.now())
      .filter((s) => (this.bySession.get(s.id)?.size ?? 0) > 0)
      .map((s) => ({ userName: s.userName, role: s.role, workstation: s.workstation, sinceMs: s.startedMs }));
  }

  access(caller: Caller | undefined): Access {
    const user = caller?.user ?? null;
    // a connection that must sign in is not local; with no caller (in-process) the service's own mode answers
    const signInRequired = caller ? !caller.local : this.o.signInRequired;
    return { signInRequired, user: user && { name: user.name, role: user.role }, firstStart: signInRequired && this.store.users.count() === 0 };
  }

  signIn(p: { name: string; password: string; workstation?: string }, caller: Caller): { token: string; expiresMs: number; access: Access } {
    const now = Date.now();
    const name = p.name.trim();
    const audit = (action: string, detail: Record<string, unknown> = {}) => this.store.audit.add({ tsMs: now, actor: name || '?', action, detail: JSON.stringify({ address: caller.address, workstation: p.workstation ?? '', ...detail }) });
    if (this.guard.locked(name.toLowerCase(), caller.address, now)) {
      audit('sign_in_refused', { why: 'locked' });
      throw new ApiError('bad_request', 'Too many failed sign-ins: wait a few minutes and try again.');
    }
    let user: UserRow | null;
    if (this.store.users.count() === 0) {
      // a hub's first start: the first sign-in creates the admin
      if (p.password.length < MIN_PASSWORD) throw new ApiError('bad_request', `Choose a password of at least ${MIN_PASSWORD} characters for the admin.`);
      user = this.store.users.add(name, 'admin', hashSecret(p.password), now);
      audit('user_added', { role: 'admin', firstStart: true });
    } else {
      user = this.store.users.byName(name);
      if (!user || user.disabled || !verifySecret(p.password, user.passwordHash)) {
        const locked = this.guard.failed(name.toLowerCase(), caller.address, now);
        audit('sign_in_failed', locked.length ? { locked } : {});
        throw new ApiError('bad_request', 'Wrong name or password.');
      }
    }
    this.guard.succeeded(name.toLowerCase());
    const token = randomBytes(32).toString('base64url');
    const expiresMs = now + this.o.sessionIdleMs;
    const id = this.store.users.startSession({ tokenHash: hashToken(token), userId: user.id, workstation: (p.workstation ?? '').slice(0, 64), address: caller.address, nowMs: now, expiresMs });
    caller.attach({ id, user: { id: user.id, name: user.name, role: user.role } });
    audit('sign_in', { session: id });
    return { token, expiresMs, access: this.access(caller) };
  }

  resume(p: { token: string; workstation?: string }, caller: Caller): Access {
    const s = this.store.users.session(hashToken(p.token));
    const user = s ? this.store.users.byId(s.userId) : null;
    if (!s || !user || s.endedMs !== null || s.expiresMs <= Date.now() || user.disabled) throw new ApiError('unauthorized', 'Your session has ended: sign in again.');
    caller.attach({ id: s.id, user: { id: user.id, name: user.name, role: user.role } });
    return this.access(caller);
  }

  signOut(caller: Caller): boolean {
    if (caller.sessionId === null) return false;
    this.end({ id: caller.sessionId }, 'signed out', caller.user?.name ?? '?');
    return true;
  }

  /** Ends sessions (one, or all of a user's) and closes their connections. */
  end(where: { id?: number; userId?: number }, why: string, by: string): number {
    const ended = this.store.users.end(where, Date.now(), why);
    for (const { id } of ended) {
      const closers = this.bySession.get(id);
      this.bySession.delete(id);
      for (const close of closers ?? []) close();
    }
    if (ended.length) this.store.audit.add({ tsMs: Date.now(), actor: by, action: 'session_ended', detail: JSON.stringify({ sessions: ended.map((e) => e.id), why }) });
    this.ended(ended.map((e) => e.userId));
    return ended.length;
  }

  /** Users whose sessions ended: those signed in nowhere else let go of what they held. */
  private ended(userIds: number[]): void {
    if (userIds.length === 0) return;
    const now = Date.now();
    for (const id of new Set(userIds)) {
      const u = this.store.users.byId(id);
      if (u && !this.store.users.hasLiveSession(id, now)) this.o.signedOff?.(u.name);
    }
    this.o.presenceChanged?.();
  }

  /** Closes the connections of sessions that expired without use (every minute). */
  sweep(nowMs = Date.now()): void {
    for (const id of [...this.bySession.keys()]) {
      const s = this.store.users.sessionById(id);
      if (!s || s.endedMs !== null || s.expiresMs <= nowMs) {
        if (s && s.endedMs === null) this.ended(this.store.users.end({ id }, nowMs, 'expired').map((e) => e.userId));
        for (const close of this.bySession.get(id) ?? []) close();
        this.bySession.delete(id);
      }
    }
  }
}
