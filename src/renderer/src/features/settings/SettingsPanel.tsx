// Settings tab: a hub's users and sessions, map sources, driver privacy, retention and the data FleetDesk keeps, and the audit log.
import { MapSourcesSection } from './MapSourcesSection';
import { PrivacySection } from './PrivacySection';
import { DataSection } from './DataSection';
import { UsersSection } from './UsersSection';
import { useCallback, useEffect, useState } from 'react';
import type { SharingStatus } from '../../../../shared/contract/sharing';
import { useFleet, useMay } from '../../app/store';
import { api } from '../../lib/api';
import { SharingSection } from './SharingSection';
import { UpstreamSection } from '../federation/UpstreamSection';
import { AccountSection } from './AccountSection';

export function SettingsPanel() {
  const mayMaps = useMay('addMbtiles');
  const mayUpstream = useMay('setUpstream');
  // this computer's own console (no sign-in) of a desktop app: it may share itself on the network
  const mayAdmin = useMay('getSharing');
  const localConsole = useFleet((s) => s.access?.signInRequired === false);
  const mayShare = mayAdmin && localConsole;
  const [sharing, setSharing] = useState<SharingStatus | null>(null);
  const reloadSharing = useCallback(() => {
    if (mayShare) void api.call('getSharing', {}).then(setSharing, () => setSharing(null));
  }, [mayShare]);
  useEffect(reloadSharing, [reloadSharing]);
  const shareable = sharing?.available === true;
  return (
    <div className="scroll settings-panel">
      {shareable && <SharingSection status={sharing} onChange={setSharing} />}
      <UsersSection shared={shareable} onUsersChanged={reloadSharing} />
      <AccountSection />
      <PrivacySection />
      {mayMaps && <MapSourcesSection />}
      {mayUpstream && <UpstreamSection />}
      <DataSection />
    </div>
  );
}
