// Status bar: broker connection, vehicles online, open alerts, message age, ingest counters.
import { useFleet } from '../../app/store';
import { age } from '../../lib/format';

const BROKER_LABEL = {
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  offline: 'offline',
  error: 'error',
} as const;

/** A depot: its link to headquarters and what waits to go; headquarters: its depots, stale ones said. */
function FederationState({ status }: { status: NonNullable<ReturnType<typeof useFleet.getState>['status']> }) {
  const f = status.federation;
  const setTab = useFleet((s) => s.setRightTab);
  if (!f) return null;
  if (f.role === 'depot') {
    const behindMs = f.backlogRows > 0 && f.backlogOldestMs !== null ? status.nowMs - f.backlogOldestMs : 0;
    const bad = !f.connected || behindMs > 60_000;
    return (
      <button type="button" className={`link federation ${bad ? 'bad' : 'ok'}`} data-testid="federation" onClick={() => setTab('Ingest')} title="Forwarding to headquarters (Ingest tab)">
        ↑ HQ {f.connected ? 'connected' : 'unreachable'}
        {f.backlogRows > 0 ? ` · ${f.backlogRows.toLocaleString()} rows waiting (oldest ${age(f.backlogOldestMs, status.nowMs).replace(' ago', '')})` : ' · up to date'}
      </button>
    );
  }
  return (
    <button type="button" className={`link federation ${f.staleDepots > 0 || !f.connected ? 'bad' : 'ok'}`} data-testid="federation" onClick={() => setTab('Ingest')} title="Depots reporting here (Ingest tab)">
      {f.depots} depot{f.depots === 1 ? '' : 's'}
      {f.staleDepots > 0 ? ` · ${f.staleDepots} stale` : ''}
      {f.connected ? '' : ' · depots broker unreachable'}
    </button>
  );
}

export function StatusBar() {
  const status = useFleet((s) => s.status);
  const connected = useFleet((s) => s.connected);
  const lastError = useFleet((s) => s.lastError);
  const setError = useFleet((s) => s.setError);
  const access = useFleet((s) => s.access);
  const signOut = useFleet((s) => s.signOut);
  const presence = useFleet((s) => s.presence);
  const unread = useFleet((s) => s.unreadMessages);
  const select = useFleet((s) => s.select);
  const setHandoverOpen = useFleet((s) => s.setHandoverOpen);
  if (!connected) {
    return (
      <footer className="statusbar" role="status">
        <span className="state bad">UI disconnected from the FleetDesk service — reconnecting…</span>
      </footer>
    );
  }
  if (!status) return <footer className="statusbar" role="status">Loading…</footer>;
  const b = status.broker;
  return (
    <footer className="statusbar" role="status">
      <span className={`state shrink ${b.state === 'connected' ? 'ok' : 'bad'}`} data-testid="broker-state" title={`${b.url}${b.lastError ? ` — ${b.lastError}` : ''}`}>
        Broker {b.embedded ? '(embedded) ' : ''}
        {b.url}: {BROKER_LABEL[b.state]}
        {b.lastError && b.state !== 'connected' ? ` — ${b.lastError}` : ''}
      </span>
      <span data-testid="vehicles-online">{status.vehiclesOnline} vehicles online</span>
      <span data-testid="open-alerts" title="Alerts nobody has acknowledged, snoozed or muted yet, by severity">
        {status.openAlerts} unacknowledged alerts
        {status.openAlertsBySeverity.critical > 0 && <b className="sev-count critical"> · {status.openAlertsBySeverity.critical} critical</b>}
        {status.openAlertsBySeverity.warning > 0 && <span className="sev-count warning"> · {status.openAlertsBySeverity.warning} warning</span>}
      </span>
      {status.escalatedAlerts > 0 && (
        <span className="escalated-count" data-testid="escalated" role="alert">
          {status.escalatedAlerts} escalated: critical and unacknowledged
        </span>
      )}
      {unread.total > 0 && (
        <button type="button" className="unread" data-testid="unread-messages" onClick={() => select(Object.keys(unread.byVehicle)[0]!, true)} title={Object.entries(unread.byVehicle).map(([v, n]) => `${v}: ${n}`).join('\n')}>
          ✉ {unread.total} unread from drivers
        </button>
      )}
      <span className="muted">last message {age(status.lastMessageMs, status.nowMs)}</span>
      <span className="muted shrink" title="Messages stored, duplicates of stored ones, and rejected (kept as dead letters)">
        ingested {status.ingest.accepted} · duplicates {status.ingest.duplicates} · rejected {status.ingest.rejected}
      </span>
      {status.storageProblems.map((p) => (
        <span key={p.slice(0, 40)} className="error storage-problem shrink" role="alert" data-testid="storage-problem" title={p}>
          {p}
        </span>
      ))}
      <FederationState status={status} />
      {status.demo && <span className="demo">DEMO FLEET</span>}
      {access?.signInRequired && access.user && (
        <span className="muted" data-testid="presence" title={presence.map((p) => `${p.userName} (${p.role}) at ${p.workstation || 'a workstation'} since ${new Date(p.sinceMs).toLocaleTimeString()}`).join('\n')}>
          {presence.length} signed in
        </span>
      )}
      {access?.signInRequired && access.user && (
        <span className="who" data-testid="signed-in">
          {access.user.name} ({access.user.role}){' '}
          <button type="button" onClick={() => setHandoverOpen(true)} title="Since your last shift: open alerts, offline vehicles, fences changed, notes">
            Handover
          </button>{' '}
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      )}
      {lastError && (
        <span className="error shrink" role="alert" title={lastError}>
          {lastError}{' '}
          <button type="button" onClick={() => setError(null)}>
            dismiss
          </button>
        </span>
      )}
    </footer>
  );
}
