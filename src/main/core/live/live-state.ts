// Latest position per vehicle in memory, so the map and the vehicle list answer instantly.
import type { TelemetryPoint, VehicleState, VehicleStatus } from '../../../shared/contract/vehicles';
import { ONLINE_WINDOW_MS, vehicleStatus } from '../../../shared/vehicle-status';


export function statusOf(point: TelemetryPoint, lastSeenMs: number, nowMs: number): VehicleStatus {
  return vehicleStatus(point.speedKmh, lastSeenMs, nowMs);
}

export class LiveState {
  private readonly latest = new Map<string, { point: TelemetryPoint; lastSeenMs: number }>();

  /** Applies a point; an older fix than the one shown only refreshes "last seen". Returns true if it changed. */
  apply(point: TelemetryPoint, receivedMs: number): boolean {
    const cur = this.latest.get(point.vehicleId);
    if (cur && cur.point.tsMs > point.tsMs) {
      cur.lastSeenMs = Math.max(cur.lastSeenMs, receivedMs);
      return false;
    }
    if (cur) {
      // updated in place: one entry per vehicle for as long as it reports (no new entry per fix to collect)
      cur.point = point;
      cur.lastSeenMs = Math.max(cur.lastSeenMs, receivedMs);
    } else this.latest.set(point.vehicleId, { point, lastSeenMs: receivedMs });
    return true;
  }

  /** A report arrived but its fix is not trusted: the vehicle is online, its position unchanged. */
  touch(vehicleId: string, receivedMs: number): void {
    const cur = this.latest.get(vehicleId);
    if (cur) cur.lastSeenMs = Math.max(cur.lastSeenMs, receivedMs);
  }

  get(vehicleId: string, nowMs: number): VehicleState | null {
    const cur = this.latest.get(vehicleId);
    return cur ? { vehicleId, status: statusOf(cur.point, cur.lastSeenMs, nowMs), lastSeenMs: cur.lastSeenMs, last: cur.point } : null;
  }

  all(nowMs: number): VehicleState[] {
    return [...this.latest.keys()].sort().map((id) => this.get(id, nowMs)!);
  }

  onlineCount(nowMs: number): number {
    let n = 0;
    for (const v of this.latest.values()) if (nowMs - v.lastSeenMs <= ONLINE_WINDOW_MS) n++;
    return n;
  }

  get size(): number {
    return this.latest.size;
  }
}
