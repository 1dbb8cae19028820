// Settings → Share this FleetDesk on the network (desktop app, admin): other workstations and browsers
// connect to this computer as a control-room hub — HTTPS only, everyone signs in — while this window stays
// signed in as its operator. Shows the addresses to type and the certificate fingerprint to compare.
import { useEffect, useState } from 'react';
import type { SharingStatus } from '../../../../shared/contract/sharing';
import { api } from '../../lib/api';
import { useAction } from '../../lib/use-action';

export function SharingSection({ status, onChange }: { status: SharingStatus; onChange: (s: SharingStatus) => void }) {
  const [port, setPort] = useState(String(status.port));
  // what the dispatcher just asked for, shown at once while the service opens or closes its listeners
  // (a box that only flips when the answer comes looks like a click that did nothing)
  const [asked, setAsked] = useState<boolean | null>(null);
  const { error, act } = useAction();
  useEffect(() => setPort(String(status.port)), [status.port]);
  const portOk = /^\d{4,5}$/.test(port) && Number(port) >= 1024 && Number(port) <= 65535;
  const set = async (enabled: boolean) => {
    setAsked(enabled);
    try {
      const ok = await act(async () => onChange(await api.call('setSharing', { enabled, port: portOk ? Number(port) : undefined })));
      // refused (a taken port, …): show what the service holds now
      if (!ok) onChange(await api.call('getSharing', {}));
    } finally {
      setAsked(null);
    }
  };
  return (
    <section aria-label="Share on the network">
      <h3>Share this FleetDesk on the network</h3>
      <p className="muted">
        Other workstations of the control room connect to this computer as their hub (the desktop app’s “Connect to a FleetDesk hub”, or a browser): HTTPS only, everyone signs in with
        their own user. This window stays signed in as you.
      </p>
      {status.admins === 0 && <p className="error">Add a user with the admin role first (Users, below): nobody on the network may make themselves the admin.</p>}
      <div className="row">
        <label>
          <input
            type="checkbox"
            checked={asked ?? status.enabled}
            disabled={asked !== null || (!status.enabled && status.admins === 0)}
            aria-busy={asked !== null}
            onChange={(e) => void set(e.target.checked)}
          />{' '}
          Share on the network
        </label>
        {asked !== null && <span className="muted">{asked ? 'Opening…' : 'Closing…'}</span>}
        <label>
          Port{' '}
          <input className="narrow" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} aria-label="Sharing port" aria-invalid={!portOk} />
        </label>
        {status.enabled && String(status.port) !== port && (
          <button type="button" disabled={!portOk} onClick={() => void set(true)}>
            Move to this port
          </button>
        )}
      </div>
      {status.enabled && status.urls.length > 0 && (
        <div data-testid="sharing-addresses">
          <p>Workstations connect to:</p>
          <ul className="event-list">
            {status.urls.map((u) => (
              <li key={u}>
                <code>{u}</code>
              </li>
            ))}
          </ul>
          <p className="muted">
            Certificate SHA-256 (each workstation compares it on its first connection): <code className="fingerprint">{status.fingerprint}</code>
          </p>
        </div>
      )}
      {status.error && (
        <p className="error" role="alert">
          {status.error}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
