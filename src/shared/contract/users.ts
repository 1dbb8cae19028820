// Users, roles and sessions: who is signed in at which workstation, and what each may do.
import { method, NoParams, Nullable, StringEnum, Type, type Static } from './schema';

/** Each role may do what the roles before it may, and more. */
export const ROLES = ['viewer', 'dispatcher', 'supervisor', 'admin'] as const;
export const Role = StringEnum(ROLES);
export type Role = Static<typeof Role>;

export const User = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Role,
  createdMs: Type.Number(),
  disabled: Type.Boolean(),
});
export type User = Static<typeof User>;

export const SessionInfo = Type.Object({
  id: Type.Integer(),
  userName: Type.String(),
  role: Role,
  workstation: Type.String(),
  address: Type.String(),
  startedMs: Type.Number(),
  lastSeenMs: Type.Number(),
  expiresMs: Type.Number(),
});
export type SessionInfo = Static<typeof SessionInfo>;

/** Who is on: a signed-in user at a workstation, since when (no addresses: every role sees this). */
export const PresenceEntry = Type.Object({ userName: Type.String(), role: Role, workstation: Type.String(), sinceMs: Type.Number() });
export type PresenceEntry = Static<typeof PresenceEntry>;

/** What a screen needs to know before anything else: whether to ask for a sign-in, and who it is. */
export const Access = Type.Object({
  signInRequired: Type.Boolean(),
  /** null until signed in (always someone in local mode: this computer's own operator). */
  user: Nullable(Type.Object({ name: Type.String(), role: Role })),
  /** No user exists yet: the first sign-in form creates the admin. */
  firstStart: Type.Boolean(),
});
export type Access = Static<typeof Access>;

const UserName = Type.String({ minLength: 1, maxLength: 64, default: 'ana' });
const Password = Type.String({ minLength: 1, maxLength: 200, default: 'x' });

export const usersMethods = {
  getAccess: method('public', NoParams, Access),
  /** On a hub's first start (no user yet) this creates the admin with the name and password given. */
  signIn: method('public', Type.Object({ name: UserName, password: Password, workstation: Type.Optional(Type.String({ maxLength: 64 })) }), Type.Object({ token: Type.String(), expiresMs: Type.Number(), access: Access })),
  /** A screen that reconnects carries on with its session, if it has not expired or been revoked. */
  resumeSession: method('public', Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), workstation: Type.Optional(Type.String({ maxLength: 64 })) }), Access),
  signOut: method('viewer', NoParams, Type.Object({ signedOut: Type.Boolean() })),
  changePassword: method('viewer', Type.Object({ current: Password, next: Password }), Type.Object({ changed: Type.Boolean() })),
  listUsers: method('admin', NoParams, Type.Array(User)),
  addUser: method('admin', Type.Object({ name: UserName, role: Role, password: Password }), User),
  setUserRole: method('admin', Type.Object({ name: UserName, role: Role }), User),
  setUserDisabled: method('admin', Type.Object({ name: UserName, disabled: Type.Boolean() }), User),
  /** Who is signed in, at which workstation, since when. */
  listSessions: method('supervisor', NoParams, Type.Array(SessionInfo)),
  /** Who is signed in, at which workstation, since when (for every screen). */
  listPresence: method('viewer', NoParams, Type.Array(PresenceEntry)),
  revokeSession: method('supervisor', Type.Object({ id: Type.Integer() }), Type.Object({ revoked: Type.Boolean() })),
};

export const usersEvents = {
  /** Who is on changed (a sign-in, a sign-out, a session ended). */
  presence: Type.Array(PresenceEntry),
};
