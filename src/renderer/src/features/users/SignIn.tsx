// Signing in to a hub: name, password and this workstation's name. On a hub's first start the form
// creates the admin.
import { useState, type FormEvent } from 'react';
import { useFleet, workstationName } from '../../app/store';

export function SignIn() {
  const access = useFleet((s) => s.access);
  const signIn = useFleet((s) => s.signIn);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [workstation, setWorkstation] = useState(workstationName);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = access?.firstStart === true;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(await signIn(name.trim(), password, workstation.trim() || workstationName()));
    setBusy(false);
    setPassword('');
  };
  return (
    <div className="sign-in">
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in" className="kv-form">
        <h2 className="wide">{first ? 'FleetDesk: create the admin' : 'Sign in to FleetDesk'}</h2>
        {first && <p className="wide muted">This FleetDesk has no users yet: the name and password you give now become its admin, who adds the others.</p>}
        <label htmlFor="si-name">Name</label>
        <input id="si-name" autoFocus autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
        <label htmlFor="si-password">Password</label>
        <input id="si-password" type="password" autoComplete={first ? 'new-password' : 'current-password'} value={password} onChange={(e) => setPassword(e.target.value)} required />
        <label htmlFor="si-ws">Workstation</label>
        <input id="si-ws" value={workstation} onChange={(e) => setWorkstation(e.target.value)} maxLength={64} />
        <span />
        <button type="submit" disabled={busy}>
          {first ? 'Create admin and sign in' : 'Sign in'}
        </button>
        {error && (
          <p className="error wide" role="alert">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
