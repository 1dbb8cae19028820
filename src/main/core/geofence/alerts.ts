// Turns geofence crossings into alerts a dispatcher reads: severity by fence category, plain message.
import type { AlertSeverity, Geofence } from '../../../shared/types';
import type { NewAlert } from '../storage/store';
import type { GeofenceEvent } from './engine';

function severityOf(category: Geofence['category'], event: 'enter' | 'exit'): AlertSeverity {
  if (category === 'restricted') return event === 'enter' ? 'critical' : 'warning';
  return 'info';
}

export function alertFromGeofenceEvent(e: GeofenceEvent, fence: Pick<Geofence, 'id' | 'name' | 'category'> | undefined, raisedMs: number): NewAlert {
  const name = fence?.name ?? e.fenceId;
  return {
    type: e.event === 'enter' ? 'geofence_enter' : 'geofence_exit',
    severity: severityOf(fence?.category ?? 'other', e.event),
    vehicleId: e.vehicleId,
    fenceId: e.fenceId,
    fenceName: name,
    tsMs: e.tsMs,
    raisedMs,
    message: `${e.vehicleId} ${e.event === 'enter' ? 'entered' : 'left'} ${name}`,
    lat: e.lat,
    lon: e.lon,
  };
}
