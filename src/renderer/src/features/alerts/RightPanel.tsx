// The right-hand panel: Alerts, Fences, Rules, Ingest health, Devices, Drivers, Maintenance, Costs, History and Settings as tabs (Alt+1 … Alt+9, Alt+0).
import { useEffect } from 'react';
import { AlertsPanel } from './AlertsPanel';
import { IngestPanel } from '../ingest/IngestPanel';
import { DevicesPanel } from '../devices/DevicesPanel';
import { FencesPanel } from '../fences/FencesPanel';
import { RulesPanel } from '../rules/RulesPanel';
import { DriversPanel } from '../drivers/DriversPanel';
import { HistoryPanel } from '../history/HistoryPanel';
import { SettingsPanel } from '../settings/SettingsPanel';
import { MaintenancePanel } from '../maintenance/MaintenancePanel';
import { CostsPanel } from '../costs/CostsPanel';
import { JobsPanel } from '../jobs/JobsPanel';
import { useFleet, visibleTabs } from '../../app/store';
import { useShallow } from 'zustand/react/shallow';
import { PanelBoundary } from '../../app/PanelBoundary';

export function RightPanel() {
  // a tab the signed-in role may not read is not shown (the server would refuse what it needs)
  const TABS = useFleet(useShallow((s) => visibleTabs(s.access)));
  const chosen = useFleet((s) => s.rightTab);
  const tab = TABS.includes(chosen) ? chosen : 'Alerts';
  const setTab = useFleet((s) => s.setRightTab);
  // the badge counts the lines the Alerts list shows (its filter: by default open warning and critical)
  const open = useFleet((s) => Object.keys(s.alerts).length);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey) return;
      // Alt+J: the dispatcher's jobs (the tabs past the tenth have a letter)
      if (e.key === 'j' || e.key === 'J') {
        e.preventDefault();
        if (TABS.includes('Jobs')) setTab('Jobs');
        return;
      }
      const i = e.key === '0' ? 9 : Number(e.key) - 1; // Alt+1 … Alt+9, Alt+0 for the tenth
      if (i >= 0 && i < TABS.length) {
        e.preventDefault();
        setTab(TABS[i]!);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setTab, TABS]);
  return (
    <aside className="panel right">
      <nav className="tabs" role="tablist">
        {TABS.map((t, i) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? 'active' : ''} onClick={() => setTab(t)} title={t === 'Jobs' ? 'Alt+J' : i < 10 ? `Alt+${(i + 1) % 10}` : undefined}>
            {t}
            {t === 'Alerts' && open > 0 ? ` (${open})` : ''}
          </button>
        ))}
      </nav>
      {/* a tab that fails leaves the tab bar working; another tab, or back, starts it afresh */}
      <PanelBoundary key={tab} name={tab}>
        {tab === 'Alerts' && <AlertsPanel />}
        {tab === 'Fences' && <FencesPanel />}
        {tab === 'Rules' && <RulesPanel />}
        {tab === 'Ingest' && <IngestPanel />}
        {tab === 'Devices' && <DevicesPanel />}
        {tab === 'Drivers' && <DriversPanel />}
        {tab === 'History' && <HistoryPanel />}
        {tab === 'Maintenance' && <MaintenancePanel />}
        {tab === 'Costs' && <CostsPanel />}
        {tab === 'Settings' && <SettingsPanel />}
        {tab === 'Jobs' && <JobsPanel />}
      </PanelBoundary>
    </aside>
  );
}
