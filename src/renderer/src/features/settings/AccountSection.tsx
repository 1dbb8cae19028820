// Settings → My password (a signed-in user on a hub): change it, with the current one.
import { useState, type FormEvent } from 'react';
import { useFleet } from '../../app/store';
import { api } from '../../lib/api';
import { useAction } from '../../lib/use-action';

export function AccountSection() {
  const user = useFleet((s) => (s.access?.signInRequired ? s.access.user : null));
  const [pw, setPw] = useState({ current: '', next: '', repeat: '' });
  const [done, setDone] = useState(false);
  const { error, setError, act } = useAction();
  if (!user) return null;
  const change = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (pw.next !== pw.repeat) return setError('The two new passwords differ: type the same password twice.');
    if (await act(() => api.call('changePassword', { current: pw.current, next: pw.next }))) {
      setPw({ current: '', next: '', repeat: '' });
      setDone(true);
    }
  };
  return (
    <section aria-label="My password">
      <h3>My password ({user.name})</h3>
      <form className="kv-form" onSubmit={(e) => void change(e)} aria-label="Change my password">
        <label htmlFor="my-cur">Current</label>
        <input id="my-cur" type="password" autoComplete="current-password" value={pw.current} onChange={(e) => setPw({ ...pw, current: e.target.value })} required />
        <label htmlFor="my-next">New</label>
        <input id="my-next" type="password" autoComplete="new-password" value={pw.next} onChange={(e) => setPw({ ...pw, next: e.target.value })} required />
        <label htmlFor="my-repeat">Repeat</label>
        <input id="my-repeat" type="password" autoComplete="new-password" value={pw.repeat} onChange={(e) => setPw({ ...pw, repeat: e.target.value })} required />
        <span />
        <button type="submit">Change password</button>
      </form>
      {done && <p className="muted" role="status">Password changed: use the new one at your next sign-in.</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
