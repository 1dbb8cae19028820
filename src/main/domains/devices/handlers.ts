// Device methods: register and revoke vehicles' secrets, anonymous access, the shared fleet token.
import type { devicesMethods } from '../../../shared/contract/devices';
import { hashSecret, newSecret } from '../../core/security/broker-policy';
import type { Store } from '../../core/storage/store';
import { VEHICLE_ID_PATTERN } from '../../core/telemetry/validate';
import { ApiError } from '../../api/api-error';
import type { HandlersOf } from '../../api/handlers';
import { ALLOW_ANONYMOUS_KEY, FLEET_TOKEN_KEY, type DeviceAccess } from './access';

export function devicesHandlers(d: { store: Store; access: DeviceAccess }): HandlersOf<typeof devicesMethods> {
  const { store, access } = d;
  return {
    getBrokerSecurity: async () => access.settings(),
    createDeviceCredential: async (p) => {
      const id = p.vehicleId.trim();
      if (!VEHICLE_ID_PATTERN.test(id)) throw new ApiError('bad_request', 'A vehicle id is 1–64 letters, digits or _ . : - (it is also the MQTT user name).');
      const secret = newSecret();
      store.devices.set(id, hashSecret(secret), Date.now());
      return { vehicleId: id, secret };
    },
    revokeDeviceCredential: async (p) => ({ revoked: store.devices.delete(p.vehicleId) }),
    setAllowAnonymous: async (p) => {
      store.settings.set(ALLOW_ANONYMOUS_KEY, p.allow ? 'true' : 'false');
      return access.settings();
    },
    rotateFleetToken: async () => {
      const token = newSecret();
      store.settings.set(FLEET_TOKEN_KEY, hashSecret(token));
      return { token };
    },
    clearFleetToken: async () => {
      store.settings.set(FLEET_TOKEN_KEY, null);
      return access.settings();
    },
  };
}
