// The geofence editor in the real UI: the dispatcher draws a polygon on the map, names it and gives it
// rules; a vehicle (an OsmAnd phone) drives in; the critical alert appears and is acknowledged. Then the
// fences go out as GeoJSON and KML files and come back in through Import.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, requireTool, startServe, tempDir, wsCall } from '../helpers';

describe.runIf(requireTool('chromium'))('geofence editor in the browser', () => {
  let proc: ChildProcess;
  let browser: Browser;
  let page: Page;
  let url: string;
  let osmandPort: number;
  let dbFile: string;
  const pageErrors: string[] = [];

  const call = (method: string, params: unknown) => wsCall(url, method, params);

  beforeAll(async () => {
    osmandPort = await freePort();
    dbFile = path.join(tempDir(), 'editor.sqlite');
    const served = await startServe(['--port', '0', '--embedded-broker-port', String(await freePort()), '--osmand-port', String(osmandPort), '--allow-anonymous', '--db', dbFile]);
    proc = served.proc;
    url = served.url;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    proc?.kill('SIGTERM');
  });

  it('draws a polygon fence, a vehicle drives in, the critical alert appears and is acknowledged', async () => {
    await page.keyboard.press('Alt+2'); // Fences
    await page.getByRole('button', { name: 'Draw polygon' }).click();
    const box = (await page.locator('.map').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const corners = [[-90, -70], [90, -70], [90, 70], [-90, 70], [-90, -70]] as const; // last click on the first corner closes it
    for (const [dx, dy] of corners) {
      await page.mouse.click(cx + dx, cy + dy);
      await page.waitForTimeout(120);
    }
    const form = page.getByRole('form', { name: 'Geofence properties' });
    await form.waitFor({ timeout: 5000 });
    expect(await form.textContent()).toContain('polygon, 4 corners');
    await page.getByLabel('Name').fill('Drawn no-go zone');
    await page.getByLabel('Category').selectOption('restricted');
    await page.getByLabel('Speed limit (km/h)').fill('30');
    await page.screenshot({ path: 'test-results/e2e-fence-form.png' });
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('.map').getAttribute('data-fences')).toBe('1');
    await expect.poll(() => page.locator('.fence-list li[data-fence-id]').textContent()).toContain('Drawn no-go zone');

    const [fence] = (await call('listGeofences', {})) as { id: string; category: string; rules: { speedLimitKmh?: number }; geometry: { type: string; coordinates: number[][][] } }[];
    expect(fence).toMatchObject({ category: 'restricted', rules: { speedLimitKmh: 30 }, geometry: { type: 'Polygon' } });
    const ring = fence!.geometry.coordinates[0]!;
    expect(ring).toHaveLength(5);
    const lon = ring.slice(0, 4).reduce((s, p) => s + p[0]!, 0) / 4;
    const lat = ring.slice(0, 4).reduce((s, p) => s + p[1]!, 0) / 4;
    const height = Math.max(...ring.map((p) => p[1]!)) - Math.min(...ring.map((p) => p[1]!));

    // outside (north of the fence), then at its centre; 5 minutes apart, so the drift filter trusts the move
    const t = Math.floor(Date.now() / 1000) - 600;
    for (const [i, la] of [lat + height * 1.5, lat].entries()) {
      const res = await fetch(`http://127.0.0.1:${osmandPort}/?id=DRAW-1&lat=${la}&lon=${lon}&timestamp=${t + i * 300}&speed=10`);
      expect(res.status).toBe(200);
    }
    await page.keyboard.press('Alt+1'); // Alerts
    const alert = page.locator('li.alert.critical[data-alert-type="geofence_enter"]');
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toContain('DRAW-1 entered Drawn no-go zone');
    const id = Number(await alert.getAttribute('data-alert-id'));
    await page.getByRole('button', { name: `Acknowledge alert ${id}` }).click();
    // an acknowledged line stays in place while the pointer is over the list, and goes when it leaves
    await page.mouse.move(5, 5);
    await expect.poll(() => page.locator(`li.alert[data-alert-id="${id}"]`).count()).toBe(0);
    const db = new Database(dbFile, { readonly: true });
    expect(db.prepare('SELECT acknowledged_by FROM alerts WHERE id = ?').get(id)).toEqual({ acknowledged_by: 'dispatcher' });
    db.close();
    expect(pageErrors).toEqual([]);
    await page.screenshot({ path: 'test-results/e2e-fence-editor.png' });
  });

  it('exports the fences as GeoJSON and KML that import back, and refuses a broken ring with the reason', async () => {
    await page.keyboard.press('Alt+2');
    const dir = tempDir();
    const save = async (button: string) => {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
      const file = path.join(dir, dl.suggestedFilename());
      await dl.saveAs(file);
      return file;
    };
    const geojson = JSON.parse(readFileSync(await save('Export GeoJSON'), 'utf8'));
    expect(geojson.features).toHaveLength(1);
    expect(geojson.features[0].properties).toMatchObject({ name: 'Drawn no-go zone', category: 'restricted', speed_limit_kmh: 30 });
    const kmlFile = await save('Export KML');
    const kml = readFileSync(kmlFile, 'utf8');
    expect(kml).toContain('<name>Drawn no-go zone</name>');

    // the KML comes back as a second fence with the same rules (a new id so both exist)
    writeFileSync(kmlFile, kml.replace(/<Data name="id"><value>[^<]*<\/value><\/Data>/, '<Data name="id"><value>from-kml</value></Data>'));
    await page.getByLabel('Import geofences file').setInputFiles(kmlFile);
    await expect.poll(() => page.locator('.fence-list li[data-fence-id]').count()).toBe(2);
    const back = ((await call('listGeofences', {})) as { id: string; category: string; rules: object }[]).find((f) => f.id === 'from-kml');
    expect(back).toMatchObject({ category: 'restricted', rules: { speedLimitKmh: 30 } });

    const broken = path.join(dir, 'broken.geojson');
    writeFileSync(broken, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Bow tie' }, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] } }] }));
    await page.getByLabel('Import geofences file').setInputFiles(broken);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Imported 0 of 1' }).textContent()).toContain('Geofence "Bow tie" was not saved: outer ring: crosses itself near [0.500000, 0.500000]');
  });

  it('finishing a circle over a vehicle does not select it; the radius can be typed; the corridor hint says double-click', async () => {
    // DRAW-1 (from the first test) in the middle of the map, nothing selected
    await page.locator('li[data-vehicle-id="DRAW-1"]').click();
    await page.getByLabel('Search vehicles').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('vehicle-detail').count()).toBe(0);
    await page.keyboard.press('Alt+2');
    await page.getByRole('button', { name: 'Draw circle' }).click();
    const box = (await page.locator('.map').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.click(cx - 60, cy);
    await page.waitForTimeout(120);
    await page.mouse.click(cx, cy); // the click that sets the radius lands on the vehicle
    const form = page.getByRole('form', { name: 'Geofence properties' });
    await form.waitFor({ timeout: 5000 });
    expect(await page.getByTestId('vehicle-detail').count()).toBe(0);
    // the radius, typed: the heading and the saved fence follow it
    await form.getByLabel('Radius (m)').fill('250');
    await expect.poll(() => form.getByTestId('fence-shape').textContent()).toBe('circle, 250 m radius');
    await form.getByLabel('Name').fill('Typed circle');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => ((await call('listGeofences', {})) as { name: string; geometry: { radiusM?: number } }[]).find((f) => f.name === 'Typed circle')?.geometry.radiusM).toBe(250);

    await page.getByRole('button', { name: 'Draw corridor' }).click();
    await page.mouse.click(cx - 100, cy + 100);
    await page.mouse.move(cx - 40, cy + 120);
    await expect.poll(() => page.locator('.leaflet-tooltip').allTextContents()).toContainEqual(expect.stringMatching(/double-click to finish/i));
    expect((await page.locator('.leaflet-tooltip').allTextContents()).join(' ')).not.toContain('existing marker');
    await page.keyboard.press('Escape');
  });
});
