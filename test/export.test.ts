// Reports written by the real `fleetdesk export` command and opened with real readers: LibreOffice for
// XLSX, pdftotext for PDF, GDAL's ogrinfo for GPX/KML/GeoJSON; the content is checked, not only the file.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../src/main/core/reports/reports';
import { writeReport } from '../src/main/core/reports/writers';
import { Store } from '../src/main/core/storage/store';
import { CLI_PATH, tempDir } from './helpers';
import { buildReportDb, T0 } from './report-fixture';

const run = promisify(execFile);
const FROM = new Date(T0 - 3_600_000).toISOString();
const TO = new Date(T0 + 3 * 3_600_000).toISOString();

let db: { file: string; store: Store };
let dir: string;
beforeAll(() => {
  db = buildReportDb();
  dir = tempDir('export-');
});
afterAll(() => db.store.close());

async function exportTo(report: string, format: string, ...extra: string[]): Promise<{ file: string; summary: { rows: number; bytes: number } }> {
  const file = path.join(dir, `${report}.${format}`);
  const { stdout } = await run(process.execPath, [CLI_PATH, 'export', '--db', db.file, '--report', report, '--from', FROM, '--to', TO, '--format', format, '--out', file, ...extra], { encoding: 'utf8' });
  return { file, summary: JSON.parse(stdout) };
}

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF) for checking what we wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field.replace(/\r$/, '')), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

async function ogrinfo(file: string): Promise<string> {
  return (await run('ogrinfo', ['-ro', '-al', '-so', file], { encoding: 'utf8' })).stdout;
}

describe('fleetdesk export', () => {
  it('writes trips as RFC 4180 CSV with times in the chosen zone, stated in the header', async () => {
    const { file, summary } = await exportTo('trips', 'csv', '--time-zone', 'Europe/Paris');
    expect(summary.rows).toBe(3);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // UTF-8 BOM
    const text = bytes.toString('utf8').slice(1);
    expect(text).toContain('\r\n');
    const [header, ...rows] = parseCsv(text);
    expect(header!.slice(0, 5)).toEqual(['Vehicle', 'Start (Europe/Paris)', 'End (Europe/Paris)', 'Duration min', 'Distance km']);
    const van1 = rows.filter((r) => r[0] === 'VAN-1');
    expect(van1.map((r) => r[1])).toEqual(['2026-11-02T09:00:00+01:00', '2026-11-02T09:20:00+01:00']);
    expect(Number(van1[0]![4])).toBeCloseTo(6.0, 2);
    expect(van1[0]![5]).toBe('odometer');
    const van2 = rows.find((r) => r[0] === 'VAN-2')!;
    expect(Number(van2[4])).toBeCloseTo(11.8, 1); // 59 steps of 200 m
    expect(Number(van2[6])).toBe(72);
  });

  it('quotes text with commas and quotes, and gives minutes to acknowledge', async () => {
    const { file } = await exportTo('alerts', 'csv');
    const [header, ...rows] = parseCsv(readFileSync(file, 'utf8').slice(1));
    const col = (name: string) => header!.indexOf(name);
    const enter = rows.find((r) => r[col('Type')] === 'geofence_enter')!;
    expect(enter[col('Message')]).toBe('VAN-1 entered Depot "North", Gate 2');
    expect(readFileSync(file, 'utf8')).toContain('"VAN-1 entered Depot ""North"", Gate 2"');
    const speeding = rows.find((r) => r[col('Type')] === 'speeding')!;
    expect(Number(speeding[col('Minutes to acknowledge')])).toBe(4);
    expect(speeding[col('Acknowledged by')]).toBe('dispatcher ana');
    expect(speeding[col('Time (UTC)')]).toBe('2026-11-02T08:05:00Z');
  });

  it('writes CSV cells that LibreOffice opens as text, never as a live formula', async () => {
    const file = path.join(tempDir('inject-'), 'f.sqlite');
    const store = new Store(file);
    store.fences.upsert({ id: 'evil', name: '=1+1', category: 'customer', color: '#66bb6a', geometry: { type: 'Circle', center: [-1.9, 52.48], radiusM: 50 }, rules: {}, createdMs: T0, updatedMs: T0 });
    store.close();
    const out = path.join(dir, 'inject.csv');
    await run(process.execPath, [CLI_PATH, 'export', '--db', file, '--report', 'geofences', '--format', 'csv', '--out', out], { encoding: 'utf8' });
    // open it as a spreadsheet would (CSV → XLSX) and read the cells back
    const outDir = tempDir('soffice-');
    const profile = `-env:UserInstallation=file://${outDir}/profile`;
    await run('soffice', [profile, '--headless', '--convert-to', 'xlsx', '--outdir', outDir, out], { timeout: 120_000 });
    await run('soffice', [profile, '--headless', '--convert-to', 'csv', '--outdir', path.join(outDir, 'back'), path.join(outDir, 'inject.xlsx')], { timeout: 120_000 });
    const [header, row] = parseCsv(readFileSync(path.join(outDir, 'back', 'inject.csv'), 'utf8'));
    const name = row![header!.indexOf('Name')];
    expect(name).not.toBe('2');
    expect(name).toContain('=1+1');
  }, 150_000);

  it('writes XLSX with typed cells that LibreOffice reads back', async () => {
    const { file } = await exportTo('alerts', 'xlsx', '--time-zone', 'Europe/Paris');
    const outDir = tempDir('soffice-');
    await run('soffice', [`-env:UserInstallation=file://${outDir}/profile`, '--headless', '--convert-to', 'csv', '--outdir', outDir, file], { timeout: 120_000 });
    const csv = readFileSync(path.join(outDir, 'alerts.csv'), 'utf8');
    const [header, ...rows] = parseCsv(csv);
    expect(header).toContain('Time (Europe/Paris)');
    const col = (name: string) => header!.indexOf(name);
    const speeding = rows.find((r) => r[col('Type')] === 'speeding')!;
    // a real date cell (formatted by LibreOffice from its number), in Paris wall time
    expect(speeding[col('Time (Europe/Paris)')]).toBe('2026-11-02 09:05:00');
    expect(Number(speeding[col('Minutes to acknowledge')])).toBe(4);
    expect(rows.find((r) => r[col('Type')] === 'geofence_enter')![col('Message')]).toBe('VAN-1 entered Depot "North", Gate 2');
  }, 150_000);

  it('writes a readable PDF with title, period, zone, table and totals', async () => {
    const { file } = await exportTo('trips', 'pdf', '--time-zone', 'Europe/London');
    const { stdout } = await run('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(stdout).toContain('FleetDesk - Trips');
    expect(stdout).toContain('Times in Europe/London');
    expect(stdout).toContain('3 rows');
    expect(stdout).toMatch(/VAN-2\s+2026-11-02 08:00/);
    expect(stdout).toContain('11.80');
    expect(stdout).toContain('Distance per vehicle');
  });

  it('prints whole words in PDF headers, the app’s words in its chart, and the basemap under its map', async () => {
    const { file } = await exportTo('alerts', 'pdf', '--time-zone', 'Europe/London');
    const { stdout } = await run('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    // "Acknowledged by" and "Minutes to acknowledge" broke inside a word ("Acknowledg / ed")
    expect(stdout).toMatch(/\bAcknowledged\b/);
    expect(stdout).not.toMatch(/\bAcknowledg\s/);
    expect(stdout).toContain('Alerts by type');
    expect(stdout).toContain('Fence entered'); // the chart's label for geofence_enter
    // the place names of the bundled basemap around the fixture's streets
    const trips = await exportTo('trips', 'pdf');
    expect((await run('pdftotext', ['-layout', trips.file, '-'], { encoding: 'utf8' })).stdout).toContain('Birmingham');
  });

  it('writes tracks as GPX that GDAL reads: one track per vehicle, every trusted point with its time', async () => {
    const { file, summary } = await exportTo('positions', 'gpx');
    const info = await ogrinfo(file);
    expect(info).toMatch(/Layer name: tracks[\s\S]*?Feature Count: 2/);
    expect(info).toMatch(/Layer name: track_points[\s\S]*?Feature Count: 240/); // 180 + 60; the flagged jump is left out
    expect(summary.rows).toBe(240); // the positions written, as the UI and the audit log say (it said 2)
    const pts = (await run('ogrinfo', ['-ro', '-al', '-where', "track_fid = 0 AND track_seg_point_id = 0", file, 'track_points'], { encoding: 'utf8' })).stdout;
    expect(pts).toContain('time (DateTime) = 2026/11/02 08:00:00+00');
  });

  it('writes geofences as KML polygons (circles as polygons) and stops as GeoJSON points', async () => {
    const kml = await exportTo('geofences', 'kml');
    const info = await ogrinfo(kml.file);
    expect(info).toContain('Feature Count: 2');
    expect(kml.summary.rows).toBe(2); // fences, not their vertices
    const full = (await run('ogrinfo', ['-ro', '-al', kml.file], { encoding: 'utf8' })).stdout;
    expect(full.match(/POLYGON \(\(/g)).toHaveLength(2);
    expect(full).toContain('Depot "North", Gate 2');
    const gj = await exportTo('stops', 'geojson');
    const ginfo = await ogrinfo(gj.file);
    expect(ginfo).toContain('Geometry: Point');
    expect(ginfo).toContain('Feature Count: 1');
    const doc = JSON.parse(readFileSync(gj.file, 'utf8'));
    expect(doc.features[0].properties).toMatchObject({ vehicle_id: 'VAN-1', duration_min: 10 });
  });

  it('refuses a map format for a table-only report and an unknown zone, with the reason', async () => {
    const e1 = await exportTo('visits', 'gpx').catch((e) => e);
    expect(e1.code).toBe(2);
    expect(e1.stderr).toContain('the visits report has no map geometry: export it as csv, xlsx, pdf');
    const e2 = await exportTo('trips', 'csv', '--time-zone', 'Mars/Olympus').catch((e) => e);
    expect(e2.stderr).toContain('unknown time zone "Mars/Olympus"');
  });

  it('writes fleet cost with missing inputs named and a fleet total, and refuses a risk report without a model', async () => {
    const { file } = await exportTo('fleet-cost', 'csv');
    const [header, ...rows] = parseCsv(readFileSync(file, 'utf8').slice(1));
    expect(header).toEqual(['Vehicle', 'km', 'Fuel (EUR)', 'Depreciation (EUR)', 'Lease (EUR)', 'Insurance (EUR)', 'Maintenance (EUR)', 'Total (EUR)', 'Cost per km (EUR)', 'Telemetry coverage %', 'Maintenance share %', 'Replacement candidate', 'Missing inputs']);
    const van1 = rows.find((r) => r[0] === 'VAN-1')!;
    expect(Number(van1[1])).toBeCloseTo(11.9, 1); // 6 + 5.9 km from the odometer
    expect(van1[12]).toBe('fuel price; acquisition cost (or a lease); insurance');
    expect(rows[rows.length - 1]![0]).toBe('Fleet');
    const err = await exportTo('maintenance-risk', 'pdf').catch((e) => e);
    expect(err.stderr).toContain('no breakdown model has been trained yet');
  });

  it('writes the operator log of the period, oldest note first, with author and subject; notes outside the period left out', async () => {
    db.store.notes.add({ tsMs: T0 + 60_000, author: 'ana', subject: 'shift', subjectId: null, text: 'Gate Z lock broken' });
    db.store.notes.add({ tsMs: T0 + 120_000, author: 'ben', subject: 'vehicle', subjectId: 'VAN-1', text: 'tyre pressure warning, "check" at depot' });
    db.store.notes.add({ tsMs: T0 + 10 * 3_600_000, author: 'cy', subject: 'shift', subjectId: null, text: 'later, not in the period' });
    const { file, summary } = await exportTo('operator-log', 'csv');
    const [header, ...rows] = parseCsv(readFileSync(file, 'utf8').slice(1));
    expect(header).toEqual(['Time (UTC)', 'Author', 'About', 'Note']);
    expect(rows.map((r) => r.slice(1))).toEqual([
      ['ana', 'the shift', 'Gate Z lock broken'],
      ['ben', 'vehicle VAN-1', 'tyre pressure warning, "check" at depot'],
    ]);
    expect(summary.rows).toBe(2);
    const err = await exportTo('operator-log', 'gpx').catch((e) => e);
    expect(err.stderr).toContain('the operator-log report has no map geometry');
  });

  it('leaves no file behind when an export is cancelled', async () => {
    const ac = new AbortController();
    const file = path.join(dir, 'cancelled.csv');
    const report = buildReport(db.store, { report: 'positions', format: 'csv', fromMs: T0 - 3_600_000, toMs: T0 + 3 * 3_600_000, timeZone: 'UTC' });
    // a report long enough to reach a progress check
    const many = { ...report, *rows() { for (let i = 0; i < 100; i++) yield* report.rows(); } };
    setTimeout(() => ac.abort(), 0);
    await expect(writeReport(many, 'csv', file, { timeZone: 'UTC', meta: { period: '', filters: '', generatedMs: 0 }, signal: ac.signal })).rejects.toThrow('export cancelled');
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('cancelled'))).toEqual([]);
  });

  it('records every export in the audit log', () => {
    const rows = db.store.audit.list(100);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.every((r) => r.action === 'export' && r.actor.startsWith('cli:'))).toBe(true);
    expect(rows.map((r) => JSON.parse(r.detail).report)).toContain('alerts');
  });
});
