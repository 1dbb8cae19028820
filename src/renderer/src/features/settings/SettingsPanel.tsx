// Settings tab: a hub's users and sessions, map sources, driver privacy, retention and the data FleetDesk keeps, and the audit log.
import { MapSourcesSection } from './MapSourcesSection';
import { PrivacySection } from './PrivacySection';
import { DataSection } from './DataSection';
import { UsersSection } from './UsersSection';

export function SettingsPanel() {
  return (
    <div className="scroll settings-panel">
      <UsersSection />
      <PrivacySection />
      <MapSourcesSection />
      <DataSection />
    </div>
  );
}
