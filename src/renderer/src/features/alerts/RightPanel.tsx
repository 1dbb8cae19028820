// The right-hand panel: Alerts, Ingest health and Devices as tabs (Alt+1, Alt+2, Alt+3).
import { useEffect, useState } from 'react';
import { AlertsPanel } from './AlertsPanel';
import { IngestPanel } from '../ingest/IngestPanel';
import { DevicesPanel } from '../devices/DevicesPanel';
import { useFleet } from '../../app/store';

const TABS = ['Alerts', 'Ingest', 'Devices'] as const;
type Tab = (typeof TABS)[number];

export function RightPanel() {
  const [tab, setTab] = useState<Tab>('Alerts');
  const open = useFleet((s) => s.status?.openAlerts ?? 0);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey) return;
      const i = Number(e.key) - 1;
      if (i >= 0 && i < TABS.length) {
        e.preventDefault();
        setTab(TABS[i]!);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <aside className="panel right">
      <nav className="tabs" role="tablist">
        {TABS.map((t, i) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? 'active' : ''} onClick={() => setTab(t)} title={`Alt+${i + 1}`}>
            {t}
            {t === 'Alerts' && open > 0 ? ` (${open})` : ''}
          </button>
        ))}
      </nav>
      {tab === 'Alerts' && <AlertsPanel />}
      {tab === 'Ingest' && <IngestPanel />}
      {tab === 'Devices' && <DevicesPanel />}
    </aside>
  );
}
