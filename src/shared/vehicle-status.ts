// How a vehicle's status ages when no report comes: the same rule on the service and on every screen,
// which re-applies it on a clock so a vehicle that went silent stops showing "moving" by itself.
import type { VehicleStatus } from './contract/vehicles';

/** A vehicle that has not reported for this long is offline (the status bar's "online" uses it too). */
export const ONLINE_WINDOW_MS = 5 * 60_000;
/** Below this speed a vehicle counts as standing still (GPS jitter shows a few km/h). */
export const MOVING_MIN_KMH = 3;
/**
 * A vehicle is shown moving only while its last report is this fresh (trackers report every 1–60 s while
 * driving): after that its last speed says nothing about now, and it shows idle until it goes offline.
 */
export const MOVING_FRESH_MS = 2 * 60_000;

export function vehicleStatus(speedKmh: number | null, lastSeenMs: number, nowMs: number): VehicleStatus {
  const age = nowMs - lastSeenMs;
  if (age > ONLINE_WINDOW_MS) return 'offline';
  return (speedKmh ?? 0) >= MOVING_MIN_KMH && age <= MOVING_FRESH_MS ? 'moving' : 'idle';
}
