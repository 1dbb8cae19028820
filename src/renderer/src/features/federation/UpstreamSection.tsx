// Settings → Headquarters link (admin): this FleetDesk as a depot forwarding what it commits to
// headquarters' broker — depot id, broker address, user and password (kept sealed, never shown), cap.
// Shown as read-only when the command line set the role.
import { useEffect, useState, type FormEvent } from 'react';
import type { FederationStatus } from '../../../../shared/contract/federation';
import { api } from '../../lib/api';
import { useAction } from '../../lib/use-action';

export function UpstreamSection() {
  const [f, setF] = useState<FederationStatus | null>(null);
  const [depotId, setDepotId] = useState('');
  const [url, setUrl] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [cap, setCap] = useState('20000');
  const { error, act } = useAction();
  useEffect(() => {
    void api.call('getFederation', {}).then((s) => {
      setF(s);
      if (s.role === 'depot') {
        setDepotId(s.depotId ?? '');
        setUrl(s.brokerUrl ?? '');
        setUsername(s.username ?? '');
        setCap(String(s.maxRowsPerSec));
      }
    }, () => undefined);
  }, []);
  if (!f || f.role === 'headquarters') return null;
  const fixed = f.role === 'depot' && !f.fromSettings;
  const save = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      setF(await api.call('setUpstream', { enabled: true, depotId, url, username: username || undefined, password: password || undefined, maxRowsPerSec: Number(cap) || undefined }));
      setPassword('');
    });
  };
  return (
    <section aria-label="Headquarters link">
      <h3>Headquarters link</h3>
      <p className="muted">
        This FleetDesk as a depot: what it commits (positions, alerts and their handling, driving events, geofence visits) goes to headquarters’ broker, and keeps working here when
        the link is down.
      </p>
      <form className="row wrap" onSubmit={save} aria-label="Headquarters link settings">
        <fieldset className="plain" disabled={fixed}>
          <label>
            Depot id <input value={depotId} onChange={(e) => setDepotId(e.target.value)} aria-label="Depot id" required maxLength={32} pattern="[A-Za-z0-9_\-]{1,32}" className="narrow" />
          </label>
          <label>
            Broker <input value={url} onChange={(e) => setUrl(e.target.value)} aria-label="Headquarters broker" placeholder="mqtts://hq.example:8883" required />
          </label>
          <label>
            User <input value={username} onChange={(e) => setUsername(e.target.value)} aria-label="Upstream user" className="narrow" autoComplete="off" />
          </label>
          <label>
            Password <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} aria-label="Upstream password" placeholder={f.role === 'depot' ? '(kept)' : ''} autoComplete="new-password" className="narrow" />
          </label>
          <label>
            At most <input inputMode="numeric" value={cap} onChange={(e) => setCap(e.target.value)} aria-label="Forwarding cap (rows per second)" className="narrow" /> rows/s
          </label>
          <button type="submit">{f.role === 'depot' ? 'Save and reconnect' : 'Start forwarding'}</button>
          {f.role === 'depot' && (
            <button type="button" onClick={() => void act(async () => setF(await api.call('setUpstream', { enabled: false })))}>
              Stop forwarding
            </button>
          )}
        </fieldset>
      </form>
      {fixed && <p className="muted">Set on the command line (--depot-id, --upstream): change it there.</p>}
      <p data-testid="upstream-setting-state">
        {f.role === 'off' ? 'Not forwarding.' : `Depot ${f.depotId} → ${f.brokerUrl}: ${f.connected ? 'connected' : `not connected${f.lastError ? ` (${f.lastError})` : ''}`}`}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
