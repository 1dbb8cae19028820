// Settings tab: map sources, driver privacy, retention and the data FleetDesk keeps, and the audit log.
import { MapSourcesSection } from './MapSourcesSection';

export function SettingsPanel() {
  return (
    <div className="scroll settings-panel">
      <MapSourcesSection />
    </div>
  );
}
