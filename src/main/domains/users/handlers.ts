// User methods: sign-in and sessions, a user's own password, and (admin) users and their roles. Every
// sign-in, failure, role change and session ended is in the audit log.
import type { Caller } from '../../../shared/api';
import type { usersMethods } from '../../../shared/contract/users';
import { hashSecret, verifySecret } from '../../core/security/broker-policy';
import type { Store } from '../../core/storage/store';
import { ApiError } from '../../api/api-error';
import { actor, type HandlersOf } from '../../api/handlers';
import { MIN_PASSWORD, type Accounts } from './accounts';
import { publicUser } from './repo';

export function usersHandlers(d: { store: Store; accounts: Accounts }): HandlersOf<typeof usersMethods> {
  const { store, accounts } = d;
  const connection = (caller: Caller | undefined): Caller => {
    if (!caller) throw new ApiError('bad_request', 'Sign in through a connection to FleetDesk.');
    return caller;
  };
  const audit = (caller: Caller | undefined, action: string, detail: Record<string, unknown>) => store.audit.add({ tsMs: Date.now(), actor: actor(caller, undefined, 'admin'), action, detail: JSON.stringify(detail) });
  const userNamed = (name: string) => {
    const u = store.users.byName(name.trim());
    if (!u) throw new ApiError('not_found', `No user "${name.trim()}".`);
    return u;
  };
  const strong = (password: string) => {
    if (password.length < MIN_PASSWORD) throw new ApiError('bad_request', `A password needs at least ${MIN_PASSWORD} characters.`);
  };
  /** Refuses to leave the hub without an admin who can sign in. */
  const keepsAnAdmin = (changedId: number) => {
    if (!store.users.list().some((u) => u.id !== changedId && u.role === 'admin' && !u.disabled)) throw new ApiError('bad_request', 'That would leave no admin: make another user admin first.');
  };
  return {
    getAccess: async (_p, caller) => accounts.access(caller),
    signIn: async (p, caller) => accounts.signIn(p, connection(caller)),
    resumeSession: async (p, caller) => accounts.resume(p, connection(caller)),
    signOut: async (_p, caller) => ({ signedOut: accounts.signOut(connection(caller)) }),
    changePassword: async (p, caller) => {
      const u = caller?.user?.id != null ? store.users.byId(caller.user.id) : null;
      if (!u) throw new ApiError('bad_request', 'Only a signed-in user has a password to change.');
      if (!verifySecret(p.current, u.passwordHash)) throw new ApiError('bad_request', 'The current password is wrong.');
      strong(p.next);
      store.users.update(u.id, { passwordHash: hashSecret(p.next) });
      audit(caller, 'password_changed', { user: u.name });
      return { changed: true };
    },
    listUsers: async () => store.users.list(),
    addUser: async (p, caller) => {
      const name = p.name.trim();
      if (!/^[\p{L}\p{N} ._@-]{1,64}$/u.test(name)) throw new ApiError('bad_request', 'A user name is 1–64 letters, digits, spaces or . _ @ -.');
      if (store.users.byName(name)) throw new ApiError('bad_request', `There is already a user "${name}".`);
      strong(p.password);
      const u = store.users.add(name, p.role, hashSecret(p.password), Date.now());
      audit(caller, 'user_added', { user: name, role: p.role });
      return publicUser(u);
    },
    setUserRole: async (p, caller) => {
      const u = userNamed(p.name);
      if (u.role === 'admin' && p.role !== 'admin') keepsAnAdmin(u.id);
      store.users.update(u.id, { role: p.role });
      audit(caller, 'role_changed', { user: u.name, from: u.role, to: p.role });
      return publicUser(store.users.byId(u.id)!);
    },
    setUserDisabled: async (p, caller) => {
      const u = userNamed(p.name);
      if (p.disabled && u.role === 'admin') keepsAnAdmin(u.id);
      store.users.update(u.id, { disabled: p.disabled });
      audit(caller, p.disabled ? 'user_disabled' : 'user_enabled', { user: u.name });
      if (p.disabled) accounts.end({ userId: u.id }, 'user disabled', actor(caller, undefined, 'admin'));
      return publicUser(store.users.byId(u.id)!);
    },
    listSessions: async () => store.users.live(Date.now()),
    listPresence: async () => accounts.presence(),
    revokeSession: async (p, caller) => ({ revoked: accounts.end({ id: p.id }, 'revoked', actor(caller, undefined, 'supervisor')) > 0 }),
  };
}
