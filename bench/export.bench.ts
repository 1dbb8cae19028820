// Export speed and memory: one million raw positions (vehicle H000, ≈11.6 days at 1 Hz, from the
// history benchmark's database) written as CSV, XLSX, GeoJSON, GPX and KML the way the app does (an
// export job in a thread of its own; `fleetdesk export` runs the same report code directly); plus a
// month of the whole fleet's trips as a PDF. Target: 1 M rows in < 10 s with flat memory. Memory: peak
// resident size during the export minus before it. Stall: the longest the service's thread (which also
// ingests and answers the screens) was kept from running during the export.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Store } from '../src/main/core/storage/store';
import { ExportJobs } from '../src/main/domains/exports/jobs';
import type { ExportFormat, ExportProgress, ReportName } from '../src/shared/reports';
import { ensureHistoryDb, FAST_VEHICLE, HISTORY_DB, START_MS } from './history-db';
import { builtWorkerPath, fmt, report, type Row } from './report';

ensureHistoryDb();
const store = new Store(HISTORY_DB);
const outDir = path.resolve('.bench-tmp/export');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const finished = new Map<string, (p: ExportProgress) => void>();
const jobs = new ExportJobs(() => store, HISTORY_DB, builtWorkerPath(), outDir, (p) => p.state !== 'running' && finished.get(p.jobId)?.(p));
const ROWS = 1_000_000;
const fromMs = START_MS + 86_400_000;
const toMs = fromMs + ROWS * 1000 + 30_000; // 1 Hz: a million seconds (and a few flagged rows)

async function run(name: ReportName, format: ExportFormat, q: { fromMs: number; toMs: number; vehicleIds?: string[] }): Promise<Row> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  const t0 = performance.now();
  const job = await jobs.start({ report: name, format, timeZone: 'Europe/London', ...q, by: 'bench' });
  const done = await new Promise<ExportProgress>((resolve) => finished.set(job.jobId, resolve));
  const s = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 30)); // a stall that lasted to the end is recorded when the timer runs
  stalls.disable();
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (done.state !== 'done') throw new Error(`${name} ${format}: ${done.error ?? done.state}`);
  const dl = jobs.takeDownload(done.jobId, done.fileName)!;
  const bytes = statSync(dl.file).size;
  dl.done();
  return {
    report: name,
    format,
    rows: fmt(done.totalRows),
    written: format === 'pdf' ? `${fmt(done.rows)} printed` : ['gpx', 'kml', 'geojson'].includes(format) ? `${done.rows} track(s)` : fmt(done.rows),
    seconds: s.toFixed(2),
    'rows/s': fmt(done.totalRows / s),
    'file MiB': (bytes / 2 ** 20).toFixed(1),
    'peak RSS +MiB': ((peak - before) / 2 ** 20).toFixed(0),
    'longest stall ms': Math.round(stalls.max / 1e6),
  };
}

const rows: Row[] = [];
for (const format of ['csv', 'xlsx', 'geojson', 'gpx', 'kml'] as ExportFormat[]) {
  rows.push(await run('positions', format, { fromMs, toMs, vehicleIds: [FAST_VEHICLE] }));
  console.error(`  ${format} done`);
}
rows.push(await run('trips', 'pdf', { fromMs: START_MS, toMs: START_MS + 30 * 86_400_000 }));
rows.push(await run('trips', 'xlsx', { fromMs: START_MS, toMs: START_MS + 30 * 86_400_000 }));
store.close();

report(
  'Exports (npm run bench -- export)',
  [
    `Raw positions of ${FAST_VEHICLE} for ${fmt(ROWS)} seconds at 1 Hz (17 columns) from the history benchmark's 11 M-row database, streamed from SQLite to the file; times written in Europe/London.`,
    'GPX/KML/GeoJSON write the trusted points as one track (flagged points are in the table formats only).',
    'The PDF prints the first 2,000 rows with the map and chart (a printed report, not a data dump); trips are computed for 100 vehicles × 30 days first.',
    'Target: 1 M rows in < 10 s with flat memory (peak RSS growth shown; the row stream never holds the report in memory).',
    'Run as the app runs them: an export job (ExportJobs) in a thread of its own. Longest stall: the longest the service thread (which also ingests and answers the screens) was kept from running meanwhile.',
  ],
  rows,
);
