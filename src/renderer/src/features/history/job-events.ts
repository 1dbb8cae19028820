// Job events in a vehicle's history and replay, as one line each.
import type { HistoryJobEvent } from '../../../../shared/contract/jobs';

/** "#3 Tesco · arrived at stop 1 Depot — by FleetDesk": one job event as a line of history. */
export function jobEventText(e: HistoryJobEvent): string {
  const stop = e.stopSeq !== null ? ` · stop ${e.stopSeq}${e.stopName ? ` ${e.stopName}` : ''}` : '';
  return `#${e.jobId} ${e.ref} · ${e.what.replaceAll('_', ' ')}${stop}${e.detail ? ` — ${e.detail}` : ''}`;
}

/** The last job event at or before a time (what the vehicle was doing for its jobs then), or null. */
export function jobEventAt(events: readonly HistoryJobEvent[], tsMs: number): HistoryJobEvent | null {
  let found: HistoryJobEvent | null = null;
  for (const e of events) {
    if (e.tsMs > tsMs) break;
    found = e;
  }
  return found;
}
