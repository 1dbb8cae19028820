// Layout: vehicles on the left, the map in the middle, alerts on the right, status along the bottom.
import { MapView } from '../features/map/MapView';
import { VehiclePanel } from '../features/vehicles/VehiclePanel';
import { RightPanel } from '../features/alerts/RightPanel';
import { StatusBar } from '../features/status/StatusBar';
import { ReplayBar } from '../features/history/ReplayBar';

export function App() {
  return (
    <div className="app">
      <VehiclePanel />
      <main className="map-wrap">
        <MapView />
        <ReplayBar />
      </main>
      <RightPanel />
      <StatusBar />
    </div>
  );
}
