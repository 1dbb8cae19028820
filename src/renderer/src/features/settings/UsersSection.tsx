// A hub's users (admin) and who is signed in where (supervisor): add a user, change a role, disable or
// enable one, end a session. Shown on a hub, and on a desktop app that can share itself (its users sign in
// from the network), to the roles the server would allow.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ROLES, type Role, type SessionInfo, type User } from '../../../../shared/contract/users';
import { can, useFleet } from '../../app/store';
import { api } from '../../lib/api';
import { localTime } from '../../lib/format';
import { useAction } from '../../lib/use-action';

export function UsersSection({ shared = false, onUsersChanged }: { shared?: boolean; onUsersChanged?: () => void }) {
  const access = useFleet((s) => s.access);
  const isAdmin = can(access, 'admin');
  const isSupervisor = can(access, 'supervisor');
  const [users, setUsers] = useState<User[]>([]);
  const [sessions, setSessions] = useState<SessionInfo[]>([]);
  const [form, setForm] = useState<{ name: string; role: Role; password: string }>({ name: '', role: 'dispatcher', password: '' });
  const { error, act } = useAction();
  const reload = useCallback(async () => {
    if (isAdmin) setUsers(await api.call('listUsers', {}));
    if (isSupervisor) setSessions(await api.call('listSessions', {}));
  }, [isAdmin, isSupervisor]);
  useEffect(() => {
    void reload().catch(() => undefined);
  }, [reload]);
  if (!(access?.signInRequired || shared) || !isSupervisor) return null;
  const run = (fn: () => Promise<unknown>) => act(async () => (await fn(), await reload(), onUsersChanged?.()));
  const add = (e: FormEvent) => {
    e.preventDefault();
    void run(() => api.call('addUser', form)).then((ok) => ok && setForm({ name: '', role: 'dispatcher', password: '' }));
  };
  return (
    <section aria-label="Users">
      {isAdmin && (
        <>
          <h3>Users</h3>
          <table className="grid users-table" aria-label="Users of this hub">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-user={u.name} className={u.disabled ? 'muted' : ''}>
                  <td>{u.name}</td>
                  <td>
                    <select aria-label={`Role of ${u.name}`} value={u.role} onChange={(e) => void run(() => api.call('setUserRole', { name: u.name, role: e.target.value as Role }))}>
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <button type="button" onClick={() => void run(() => api.call('setUserDisabled', { name: u.name, disabled: !u.disabled }))}>
                      {u.disabled ? 'Enable' : 'Disable'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form className="kv-form" onSubmit={add} aria-label="New user">
            <label htmlFor="nu-name">Name</label>
            <input id="nu-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required maxLength={64} autoComplete="off" />
            <label htmlFor="nu-role">Role</label>
            <select id="nu-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <label htmlFor="nu-pw">Password</label>
            <input id="nu-pw" type="password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required minLength={8} autoComplete="new-password" />
            <span />
            <button type="submit">Add user</button>
          </form>
        </>
      )}
      <h3>Signed in</h3>
      <ul className="event-list sessions-list" aria-label="Sessions">
        {sessions.map((s) => (
          <li key={s.id} data-session={s.id}>
            <b>{s.userName}</b> ({s.role}) at {s.workstation || 'a workstation'} · {s.address} · since {localTime(s.startedMs)}{' '}
            <button type="button" onClick={() => void run(() => api.call('revokeSession', { id: s.id }))} aria-label={`End the session of ${s.userName} at ${s.workstation}`}>
              End
            </button>
          </li>
        ))}
      </ul>
      {error && <p className="error">{error}</p>}
    </section>
  );
}
