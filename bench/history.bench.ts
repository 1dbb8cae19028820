// History query latency on a big database (bench/history-db.ts: 100 vehicles × 30 days, one vehicle at
// one point per second = 2.6 million rows in its month). Each query is what the History tab asks for:
// track (simplified), flagged points, trips and stops, visits, alerts, events. Target: a vehicle-month
// in < 150 ms. Timings: the first run after opening the database (cold page cache of SQLite, the OS
// cache warm from the build) and the median of 7 more.
import { Store } from '../src/main/core/storage/store';
import { queryHistory } from '../src/main/core/history/history';
import { DAYS, ensureHistoryDb, FAST_VEHICLE, HISTORY_DB, START_MS, VEHICLES } from './history-db';
import { fmt, report, type Row } from './report';

const built = ensureHistoryDb();
const store = new Store(HISTORY_DB);
const totalRows = store.stats().telemetryRows;

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

const cases: { name: string; vehicle: string; fromMs: number; toMs: number }[] = [
  { name: `${FAST_VEHICLE}, 30 days (1 Hz)`, vehicle: FAST_VEHICLE, fromMs: START_MS, toMs: START_MS + DAYS * 86_400_000 },
  { name: `${FAST_VEHICLE}, 7 days (1 Hz)`, vehicle: FAST_VEHICLE, fromMs: START_MS + 10 * 86_400_000, toMs: START_MS + 17 * 86_400_000 },
  { name: `${FAST_VEHICLE}, 1 day (1 Hz)`, vehicle: FAST_VEHICLE, fromMs: START_MS + 12 * 86_400_000, toMs: START_MS + 13 * 86_400_000 },
  { name: `${FAST_VEHICLE}, 1 hour (1 Hz)`, vehicle: FAST_VEHICLE, fromMs: START_MS + 12 * 86_400_000 + 9 * 3_600_000, toMs: START_MS + 12 * 86_400_000 + 10 * 3_600_000 },
  { name: 'H042, 30 days (every 30 s)', vehicle: 'H042', fromMs: START_MS, toMs: START_MS + DAYS * 86_400_000 },
];

const rows: Row[] = [];
for (const c of cases) {
  const q = { vehicleIds: [c.vehicle], fromMs: c.fromMs, toMs: c.toMs, toleranceM: 10 };
  let first = 0;
  let h = queryHistory(store, q)[0]!;
  first = h.queryMs;
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) runs.push(time(() => (h = queryHistory(store, q)[0]!)));
  runs.sort((a, b) => a - b);
  rows.push({
    query: c.name,
    'points in range': fmt(h.sourcePoints),
    read: h.resolution === 'raw' ? 'every point' : 'per-minute summary',
    'drawn vertices': fmt(h.track.length),
    trips: h.trips.length,
    stops: h.stops.length,
    flagged: fmt(h.flaggedTotal),
    'first ms': first.toFixed(1),
    'median ms': runs[3]!.toFixed(1),
    'max ms': runs[6]!.toFixed(1),
  });
}

// what the summary saves: reading every raw point of the fast vehicle's month
const rawMs = time(() => store.telemetry.rawTrack(FAST_VEHICLE, START_MS, START_MS + DAYS * 86_400_000));
const rawCount = store.telemetry.rawTrack(FAST_VEHICLE, START_MS, START_MS + 86_400_000).tsMs.length * DAYS;
rows.push({ query: `(naive) read all ${FAST_VEHICLE} raw points, 30 days`, 'points in range': `≈${fmt(rawCount)}`, read: 'every point', 'drawn vertices': '–', trips: '–', stops: '–', flagged: '–', 'first ms': rawMs.toFixed(0), 'median ms': '–', 'max ms': '–' });
store.close();

report(
  'History queries (npm run bench -- history)',
  [
    `Database: ${VEHICLES} vehicles × ${DAYS} days, ${fmt(totalRows)} telemetry rows in arrival order; ${FAST_VEHICLE} at one point per second (≈2.6 M rows), the rest every 30 s.`,
    built ? `Built in ${built.buildS.toFixed(0)} s; the per-minute summary of all ${fmt(built.rows)} rows took ${built.summaryS.toFixed(1)} s (${fmt(built.rows / built.summaryS)} rows/s; in the app it runs every 10 s on new rows).` : 'Database reused from an earlier run.',
    'Each query: track simplified (time-aware Douglas–Peucker, 10 m), flagged points, trips and stops, fence visits, alerts and driving events. More than 50,000 points in the range (≈14 h at 1 Hz) are read from the per-minute summary (packed one blob per vehicle-hour); fewer, every point.',
    'Target: one vehicle-month at 1 Hz (≈2.6 M rows) in < 150 ms.',
  ],
  rows,
);
