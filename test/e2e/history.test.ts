// History and export in the real UI (serve mode, a browser in Paris time): a known day of two vans is
// in the database; the dispatcher opens History for VAN-1, sees its trips, stop, fence visit and the
// drift-flagged point, replays it, drags the timeline, and downloads the trips as CSV.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/main/core/storage/store';
import { openApp, requireTool, tempDir } from '../helpers';
import { buildReportDb, T0 } from '../report-fixture';

describe.runIf(requireTool('chromium'))('history and export in the browser', () => {
  let app: Awaited<ReturnType<typeof openApp>>;
  let page: Page;
  let dbFile: string;

  beforeAll(async () => {
    const db = buildReportDb();
    db.store.close();
    dbFile = db.file;
    app = await openApp(['--db', dbFile], { timezoneId: 'Europe/Paris', acceptDownloads: true });
    page = app.page;
  });

  afterAll(() => app?.close());

  it('shows trips, stops, visits and flagged points, replays them and exports the trips', async () => {
    await page.keyboard.press('Alt+9'); // History
    const form = page.getByRole('form', { name: 'History query' });
    await form.locator('input[name="vehicles"]').fill('VAN-1');
    // 09:00 in Paris is T0 (08:00 UTC): the range is local time on screen
    await form.locator('input[name="from"]').fill('2026-11-02T08:30');
    await form.locator('input[name="to"]').fill('2026-11-02T12:00');
    await form.getByRole('button', { name: 'Show history' }).click();

    const result = page.locator('.history-vehicle[data-vehicle="VAN-1"]');
    await result.waitFor();
    expect(await result.locator('h3').textContent()).toContain('2 trips · 1 stops');
    const trips = result.locator('.history-trips tbody tr');
    expect(await trips.count()).toBe(2);
    expect(await trips.nth(0).locator('td').first().textContent()).toContain('09:00'); // Paris wall time
    expect(await trips.nth(0).locator('td').nth(2).textContent()).toBe('6.0');
    expect(await result.locator('.history-meta').textContent()).toContain('1 flagged by the drift filter');
    expect(await result.locator('.history-visits li').first().textContent()).toContain('Depot "North", Gate 2 · 10 min');
    expect(await result.locator('.history-timeline li').first().textContent()).toContain('Harsh braking');

    const map = page.locator('.map');
    await expect.poll(() => map.getAttribute('data-history-flagged')).toBe('1');
    // a straight drive east, a stop, a straight drive: a few vertices, not 180 points
    const vertices = Number(await map.getAttribute('data-history-vertices'));
    expect(vertices).toBeGreaterThanOrEqual(2);
    expect(vertices).toBeLessThan(20);

    // replay starts at the first stored fix of the range (09:00 Paris), not at its start (08:30)
    const bar = page.getByRole('group', { name: 'History replay' });
    expect(Number(await bar.locator('time').getAttribute('data-cursor-ms'))).toBe(T0);
    await expect.poll(() => bar.getByTestId('cursor-telemetry').textContent()).toContain('VAN-1');

    // drag the timeline to 09:25 Paris (second trip, 5 min in: 6 km + 3 km east of the start)
    await bar.getByRole('slider', { name: 'Replay time' }).fill(String(T0 + 25 * 60_000));
    await expect.poll(() => map.getAttribute('data-replay')).toMatch(/^52\.48000,-1\.7/);
    const lon = Number((await map.getAttribute('data-replay'))!.split(',')[1]);
    expect(lon).toBeCloseTo(-1.9 + 9000 / (111_195 * Math.cos((52.48 * Math.PI) / 180)), 3);
    await expect.poll(() => bar.getByTestId('cursor-telemetry').textContent()).toContain('36 km/h');
    expect(await bar.getByTestId('cursor-telemetry').textContent()).toContain('DRV-ANA');

    // play at ×60: the cursor moves on by itself
    await bar.getByRole('combobox', { name: 'Replay speed' }).selectOption('60');
    const before = Number(await bar.locator('time').getAttribute('data-cursor-ms'));
    const readoutBefore = await bar.getByTestId('cursor-telemetry').textContent();
    await bar.getByRole('button', { name: 'Play' }).click();
    await expect.poll(async () => Number(await bar.locator('time').getAttribute('data-cursor-ms')), { timeout: 5000 }).toBeGreaterThan(before + 30_000);
    // the readout follows the cursor while it plays (it stayed on the first fix)
    await expect.poll(() => bar.getByTestId('cursor-telemetry').textContent(), { timeout: 5000 }).not.toBe(readoutBefore);
    await page.locator('.history-meta').first().click(); // focus off the controls, as a dispatcher would
    await page.keyboard.press('Space'); // pause
    await expect.poll(() => bar.getByRole('button', { name: 'Play' }).count()).toBe(1);
    // → steps 10 s at any speed (×60 made it 10 min), Shift+→ a minute
    const paused = Number(await bar.locator('time').getAttribute('data-cursor-ms'));
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => Number(await bar.locator('time').getAttribute('data-cursor-ms'))).toBe(paused + 10_000);
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(async () => Number(await bar.locator('time').getAttribute('data-cursor-ms'))).toBe(paused + 70_000);

    // export the trips as CSV: a download with Paris times
    const box = page.getByRole('region', { name: 'Export report' });
    await box.getByRole('combobox', { name: 'Report' }).selectOption('trips');
    await box.getByRole('combobox', { name: 'Format' }).selectOption('csv');
    await box.getByRole('textbox', { name: 'Time zone' }).fill('Europe/Paris');
    const [download] = await Promise.all([page.waitForEvent('download'), box.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('fleetdesk-trips-VAN-1-2026-11-02_2026-11-02.csv');
    const saved = path.join(tempDir(), 'trips.csv');
    await download.saveAs(saved);
    const lines = readFileSync(saved, 'utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toContain('Start (Europe/Paris)');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['VAN-1,2026-11-02T09:00:00+01:00', 'VAN-1,2026-11-02T09:20:00+01:00']);
    await expect.poll(() => box.locator('.export-done').textContent()).toContain('2 rows');
    await page.screenshot({ path: 'test-results/e2e-history.png' });

    // the download link works once only
    const again = await page.request.get(new URL(`/exports/${'0'.repeat(32)}/x.csv`, page.url()).href);
    expect(again.status()).toBe(404);

    // the positions as GPX: the UI and the audit log count its points (they said "1 rows": one track)
    await box.getByRole('combobox', { name: 'Report' }).selectOption('positions');
    await box.getByRole('combobox', { name: 'Format' }).selectOption('gpx');
    const [gpx] = await Promise.all([page.waitForEvent('download'), box.getByRole('button', { name: 'Export GPX' }).click()]);
    const gpxFile = path.join(tempDir(), 'track.gpx');
    await gpx.saveAs(gpxFile);
    const points = (readFileSync(gpxFile, 'utf8').match(/<trkpt /g) ?? []).length;
    expect(points).toBeGreaterThan(100);
    await expect.poll(() => box.locator('.export-done').textContent()).toContain(`(${points.toLocaleString('en')} points,`);

    // and the exports are in the audit log
    const store = new Store(dbFile);
    try {
      const audit = store.audit.list(10);
      expect(audit[0]!.action).toBe('export');
      expect(JSON.parse(audit[0]!.detail)).toMatchObject({ report: 'positions', format: 'gpx', rows: points });
      expect(JSON.parse(audit[1]!.detail)).toMatchObject({ report: 'trips', format: 'csv', vehicles: ['VAN-1'], timeZone: 'Europe/Paris', rows: 2 });
    } finally {
      store.close();
    }
  });
});
