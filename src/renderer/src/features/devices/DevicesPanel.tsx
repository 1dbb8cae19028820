// Devices and broker security: per-vehicle secrets (shown once), the shared fleet token, anonymous access.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { BrokerSecuritySettings } from '../../../../shared/contract/devices';
import { api } from '../../lib/api';
import { localTime } from '../../lib/format';
import { useFleet } from '../../app/store';
import { useExampleIds } from '../../lib/example-ids';

export function DevicesPanel() {
  const [sec, setSec] = useState<BrokerSecuritySettings | null>(null);
  const example = useExampleIds();
  const [newId, setNewId] = useState('');
  const [revealed, setRevealed] = useState<{ label: string; user: string; secret: string } | null>(null);
  const setError = useFleet((s) => s.setError);
  const fail = useCallback((what: string) => (err: unknown) => setError(`${what}: ${(err as Error).message}`), [setError]);
  const reload = useCallback(() => api.call('getBrokerSecurity', {}).then(setSec, fail('Could not load devices')), [fail]);
  useEffect(() => void reload(), [reload]);

  const add = (e: FormEvent) => {
    e.preventDefault();
    api.call('createDeviceCredential', { vehicleId: newId.trim() }).then((r) => {
      setRevealed({ label: `Secret for ${r.vehicleId}`, user: r.vehicleId, secret: r.secret });
      setNewId('');
      void reload();
    }, fail('Could not add the vehicle'));
  };
  if (!sec) return <p className="muted empty">Loading…</p>;
  if (!sec.embedded) return <p className="muted empty">FleetDesk uses an external broker; manage its users there.</p>;
  return (
    <div className="scroll" data-testid="devices-panel">
      <p>
        Vehicles connect to <span className="num">{sec.listenUrls.join(' and ')}</span>, user name = vehicle id, and may publish only to{' '}
        <code>fleet/&lt;their id&gt;/…</code>.
      </p>
      {revealed && (
        <div className="reveal" role="alert">
          <strong>{revealed.label}</strong> — copy it now; FleetDesk keeps only a hash and cannot show it again.
          <input readOnly value={revealed.secret} aria-label="New secret" onFocus={(e) => e.target.select()} data-testid="new-secret" />
          <button type="button" onClick={() => void navigator.clipboard?.writeText(revealed.secret).catch(() => undefined)}>
            Copy
          </button>
          <button type="button" onClick={() => setRevealed(null)}>
            Done
          </button>
        </div>
      )}
      <form className="row" onSubmit={add}>
        <input placeholder={`Vehicle id, e.g. ${example.vehicle}`} value={newId} onChange={(e) => setNewId(e.target.value)} aria-label="New vehicle id" />
        <button type="submit" disabled={!newId.trim()}>
          Add vehicle
        </button>
      </form>
      <table className="grid" data-testid="device-table">
        <thead>
          <tr>
            <th>Vehicle</th>
            <th>Added</th>
            <th>Last seen</th>
            <th title="Logins and publishes refused under this id since FleetDesk started">Refused</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sec.devices.map((d) => (
            <tr key={d.vehicleId}>
              <td>{d.vehicleId}</td>
              <td className="muted">{localTime(d.createdMs)}</td>
              <td className="muted">{d.lastSeenMs === null ? 'not since start' : localTime(d.lastSeenMs)}</td>
              <td className={d.refused ? 'warn' : 'muted'} title={d.lastRefusedMs ? `last ${localTime(d.lastRefusedMs)}: ${d.lastRefusalReason}` : undefined}>
                {d.refused}
              </td>
              <td>
                <button type="button" onClick={() => api.call('revokeDeviceCredential', { vehicleId: d.vehicleId }).then(reload, fail('Could not revoke'))}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Shared fleet token</h3>
      <p className="muted">Any vehicle may log in with its own id and this token. Simpler to roll out, weaker than per-vehicle secrets.</p>
      <div className="row">
        <button
          type="button"
          onClick={() =>
            api.call('rotateFleetToken', {}).then((r) => {
              setRevealed({ label: 'New fleet token', user: '(any vehicle id)', secret: r.token });
              void reload();
            }, fail('Could not create a token'))
          }
        >
          {sec.fleetTokenSet ? 'Replace token' : 'Create token'}
        </button>
        {sec.fleetTokenSet && (
          <button type="button" onClick={() => api.call('clearFleetToken', {}).then(setSec, fail('Could not remove the token'))}>
            Remove token
          </button>
        )}
      </div>
      <h3>Anonymous access</h3>
      <label className="row">
        <input
          type="checkbox"
          checked={sec.allowAnonymous}
          disabled={sec.anonymousForcedByStartup}
          onChange={(e) => api.call('setAllowAnonymous', { allow: e.target.checked }).then(setSec, fail('Could not change anonymous access'))}
        />
        Let clients without a user name publish telemetry
      </label>
      {sec.anonymousForcedByStartup && <p className="muted">On for this run (demo mode or --allow-anonymous).</p>}
      <h3>Refused since start</h3>
      {sec.refusals.byReason.length === 0 ? (
        <p className="muted">Nothing refused.</p>
      ) : (
        <table className="grid" data-testid="refusals">
          <tbody>
            {sec.refusals.byReason.map((r) => (
              <tr key={`${r.listener}:${r.reason}`}>
                <td>{r.listener}</td>
                <td>{r.reason}</td>
                <td className="num">{r.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {sec.refusals.last.length > 0 && (
        <details>
          <summary>Last {sec.refusals.last.length} refusals</summary>
          <table className="grid">
            <tbody>
              {sec.refusals.last.map((r, i) => (
                <tr key={i}>
                  <td className="muted">{localTime(r.atMs)}</td>
                  <td>{r.listener}</td>
                  <td>{r.who || '—'}</td>
                  <td className="muted">{r.address}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
