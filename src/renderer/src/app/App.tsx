// Layout: vehicles on the left, the map in the middle, alerts on the right, status along the bottom; each
// part fails on its own (PanelBoundary).
import { MapView } from '../features/map/MapView';
import { VehiclePanel } from '../features/vehicles/VehiclePanel';
import { RightPanel } from '../features/alerts/RightPanel';
import { StatusBar } from '../features/status/StatusBar';
import { ReplayBar } from '../features/history/ReplayBar';
import { PanelBoundary } from './PanelBoundary';
import { Splitter, useRightPanelWidth } from './Splitter';
import { useFleet } from './store';
import { SignIn } from '../features/users/SignIn';
import { Handover } from '../features/users/Handover';

export function App() {
  const [rightWidth, setRightWidth] = useRightPanelWidth();
  const access = useFleet((s) => s.access);
  const handoverOpen = useFleet((s) => s.handoverOpen);
  const setHandoverOpen = useFleet((s) => s.setHandoverOpen);
  // a hub (served over HTTPS) shows nothing of the console before the service has said who this screen
  // is, and then before a sign-in; this computer's own console (IPC, or serve on loopback) opens at once
  if (!access && location.protocol === 'https:') return <div className="connecting muted">Connecting to FleetDesk…</div>;
  if (access?.signInRequired && !access.user) return <SignIn />;
  return (
    <div className="app" style={{ gridTemplateColumns: `280px 1fr ${rightWidth}px` }}>
      <PanelBoundary name="Vehicle list" className="panel vehicles">
        <VehiclePanel />
      </PanelBoundary>
      <main className="map-wrap">
        <PanelBoundary name="Map">
          <MapView />
        </PanelBoundary>
        <PanelBoundary name="Replay">
          <ReplayBar />
        </PanelBoundary>
      </main>
      <PanelBoundary name="Side panel" className="panel right">
        <Splitter width={rightWidth} onWidth={setRightWidth} />
        <RightPanel />
      </PanelBoundary>
      {handoverOpen && (
        <PanelBoundary name="Handover">
          <Handover onClose={() => setHandoverOpen(false)} />
        </PanelBoundary>
      )}
      <PanelBoundary name="Status bar" className="statusbar">
        <StatusBar />
      </PanelBoundary>
    </div>
  );
}
