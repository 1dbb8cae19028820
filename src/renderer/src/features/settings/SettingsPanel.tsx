// Settings tab: a hub's users and sessions, map sources, driver privacy, retention and the data FleetDesk keeps, and the audit log.
import { MapSourcesSection } from './MapSourcesSection';
import { PrivacySection } from './PrivacySection';
import { DataSection } from './DataSection';
import { UsersSection } from './UsersSection';
import { useMay } from '../../app/store';

export function SettingsPanel() {
  const mayMaps = useMay('addMbtiles');
  return (
    <div className="scroll settings-panel">
      <UsersSection />
      <PrivacySection />
      {mayMaps && <MapSourcesSection />}
      <DataSection />
    </div>
  );
}
