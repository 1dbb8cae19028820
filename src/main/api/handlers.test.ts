import { describe, expect, it } from 'vitest';
import { actor, localCaller } from './handlers';

describe('who an action is recorded with', () => {
  it('is the signed-in user on a hub, the desktop’s own system account in local mode, the screen’s name before either', () => {
    const hubCaller = { ...localCaller('10.0.0.7'), local: false, user: { id: 3, name: 'ana', role: 'dispatcher' as const } };
    expect(actor(hubCaller, 'someone else', 'dispatcher')).toBe('ana');
    // the desktop app signs its own user in by the system account's name
    expect(actor(localCaller('local', 'marta'), undefined, 'dispatcher')).toBe('marta');
    expect(localCaller('local', 'marta').user).toEqual({ id: null, name: 'marta', role: 'admin' });
    // a name the screen sends in local mode (a shared PC, a named shift) wins over the account
    expect(actor(localCaller('local', 'marta'), ' night desk ', 'dispatcher')).toBe('night desk');
    // a loopback `serve` knows no account: the screen's name, else the fallback
    expect(actor(localCaller('127.0.0.1'), undefined, 'dispatcher')).toBe('dispatcher');
    expect(localCaller('local', '   ').user!.name).toBe('local operator');
  });
});
