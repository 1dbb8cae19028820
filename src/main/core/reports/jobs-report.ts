// The jobs report: one line per stop of the period's jobs — the window planned, the arrival, on time or how
// late — then each vehicle's and each driver's share of stops on time. Arrivals in private stretches are
// left out (privacy mode), as everywhere.
import type { ReportRequest } from '../../../shared/reports';
import type { Store } from '../storage/store';
import type { Report } from './reports';

export function jobsReport(store: Store, r: ReportRequest, hiddenAt: (vehicleId: string, tsMs: number) => boolean): Report {
  const wanted = r.vehicleIds?.length ? new Set(r.vehicleIds) : null;
  const jobs = store.jobs.inPeriod(r.fromMs, r.toMs).filter((j) => !wanted || (j.vehicleId !== null && wanted.has(j.vehicleId)));
  const driverAt = store.db.prepare(`SELECT driver_id AS d FROM telemetry WHERE vehicle_id = ? AND ts_ms <= ? ORDER BY ts_ms DESC LIMIT 1`);
  type Line = (string | number | null)[];
  const lines: Line[] = [];
  const tally = new Map<string, { stops: number; judged: number; onTime: number }>();
  const count = (key: string, onTime: boolean | null) => {
    const t = tally.get(key) ?? { stops: 0, judged: 0, onTime: 0 };
    t.stops++;
    if (onTime !== null) (t.judged++, onTime && t.onTime++);
    tally.set(key, t);
  };
  for (const j of jobs)
    for (const s of j.stops) {
      const hidden = j.vehicleId !== null && s.arrivedMs !== null && hiddenAt(j.vehicleId, s.arrivedMs);
      const arrived = hidden ? null : s.arrivedMs;
      const driver = j.vehicleId && arrived !== null ? ((driverAt.get(j.vehicleId, arrived) as { d: string | null } | undefined)?.d ?? null) : null;
      const lateMin = arrived !== null && s.windowEndMs !== null ? Math.round((arrived - s.windowEndMs) / 60_000) : null;
      const onTime = arrived === null || s.windowEndMs === null ? null : arrived <= s.windowEndMs;
      if (j.vehicleId) count(`Vehicle ${j.vehicleId}`, onTime);
      if (driver) count(`Driver ${driver}`, onTime);
      lines.push([j.id, j.ref, j.vehicleId ?? '', driver ?? (hidden ? 'private' : ''), s.seq, s.name, s.kind, s.windowStartMs, s.windowEndMs, arrived, s.doneMs, onTime === null ? '' : onTime ? 'yes' : 'no', lateMin !== null && lateMin > 0 ? lateMin : null, s.status, j.status]);
    }
  const summary = [...tally].sort((a, b) => a[0].localeCompare(b[0]));
  const judged = summary.filter(([k]) => k.startsWith('Vehicle ')).reduce((a, [, t]) => ({ judged: a.judged + t.judged, onTime: a.onTime + t.onTime }), { judged: 0, onTime: 0 });
  return {
    name: 'jobs',
    title: `Jobs — ${judged.judged ? `${Math.round((judged.onTime / judged.judged) * 100)} % of stops with a window on time` : 'no stop with a window reached yet'}`,
    columns: [
      { title: 'Job', type: 'number' },
      { title: 'Customer or place', type: 'text', width: 2 },
      { title: 'Vehicle', type: 'text' },
      { title: 'Driver', type: 'text' },
      { title: 'Stop', type: 'number' },
      { title: 'Stop name', type: 'text', width: 2 },
      { title: 'Kind', type: 'text' },
      { title: 'Window from', type: 'time' },
      { title: 'Window to', type: 'time' },
      { title: 'Arrived', type: 'time' },
      { title: 'Done', type: 'time' },
      { title: 'On time', type: 'text' },
      { title: 'Late min', type: 'number' },
      { title: 'Stop status', type: 'text' },
      { title: 'Job status', type: 'text' },
    ],
    rowCount: lines.length + summary.length,
    *rows() {
      yield* lines;
      for (const [who, t] of summary) yield [null, `${who}: ${t.judged ? `${Math.round((t.onTime / t.judged) * 100)} % on time` : 'no window to judge'} (${t.onTime} of ${t.judged} judged; ${t.stops} stops)`, null, null, null, null, null, null, null, null, null, null, null, null, null];
    },
    chart: { title: 'Stops on time per vehicle (%)', labels: summary.filter(([k]) => k.startsWith('Vehicle ') && tally.get(k)!.judged).map(([k]) => k.slice(8)), values: summary.filter(([k]) => k.startsWith('Vehicle ') && tally.get(k)!.judged).map(([, t]) => Math.round((t.onTime / t.judged) * 100)), unit: '%' },
  };
}
