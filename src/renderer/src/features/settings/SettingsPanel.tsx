// Settings tab: map sources, driver privacy, retention and the data FleetDesk keeps, and the audit log.
import { MapSourcesSection } from './MapSourcesSection';
import { PrivacySection } from './PrivacySection';
import { DataSection } from './DataSection';

export function SettingsPanel() {
  return (
    <div className="scroll settings-panel">
      <PrivacySection />
      <MapSourcesSection />
      <DataSection />
    </div>
  );
}
