// Offline maps in the real UI: the bundled basemap draws place names with no network; a regional
// MBTiles file added with --mbtiles (and another added in Settings) is served by FleetDesk itself; and
// every request the page makes goes to FleetDesk on this machine — none leaves it.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireTool, startServe, tempDir } from '../helpers';
import { solidPng, tileOf, writeMbtiles } from '../tiles-fixture';

describe.runIf(requireTool('chromium'))('offline maps in the browser', () => {
  let proc: ChildProcess;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const dir = tempDir('maps-');
  const region = path.join(dir, 'birmingham.mbtiles');
  const second = path.join(dir, 'coventry.mbtiles');

  beforeAll(async () => {
    // z12 tiles round the demo city, red
    const c = tileOf(-1.8904, 52.4862, 12);
    const tiles = [];
    for (let dx = -3; dx <= 3; dx++) for (let dy = -3; dy <= 3; dy++) tiles.push({ z: 12, x: c.x + dx, y: c.y + dy, data: solidPng(200, 40, 40) });
    writeMbtiles(region, { name: 'Birmingham streets', format: 'png', minzoom: '12', maxzoom: '12', attribution: 'Test tiles' }, tiles);
    writeMbtiles(second, { name: 'Coventry', format: 'png', minzoom: '12', maxzoom: '12' }, [{ z: 12, x: c.x + 10, y: c.y, data: solidPng(0, 90, 0) }]);
    const served = await startServe(['--port', '0', '--embedded-broker-port', '0', '--osmand-port', 'off', '--demo', '--demo-vehicles', '5', '--db', path.join(dir, 'm.sqlite'), '--mbtiles', region]);
    proc = served.proc;
    origin = new URL(served.url).origin;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // every wait of this long walk is bounded below the test's own limit, so a stall names its step
    // (one CI run on a loaded machine hit the 60 s test limit with no step named)
    page.setDefaultTimeout(20_000);
    // a part of the page that fails shows its error in place of itself: kept for the failure message
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
  });

  afterAll(async () => {
    await browser?.close();
    proc?.kill('SIGTERM');
  });

  it('shows MBTiles tiles and place names, and no request leaves the machine', async () => {
    const tileResponse = page.waitForResponse((r) => /\/tiles\/[0-9a-f]{12}\/12\/\d+\/\d+$/.test(r.url()) && r.status() === 200);
    await page.goto(origin);
    const res = await tileResponse;
    expect(res.headers()['content-type']).toBe('image/png');
    const map = page.locator('.map');
    await expect.poll(() => map.getAttribute('data-map-sources')).toBe('offline basemap + Birmingham streets (MBTiles)');
    expect(await page.locator('.map-source').textContent()).toBe('Map: offline basemap + Birmingham streets (MBTiles)');
    expect(await page.locator('.leaflet-control-attribution').textContent()).toContain('Test tiles');
    // a loaded tile image really is our red tile
    await expect
      .poll(() => page.locator('.leaflet-tile-loaded').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth === 256).length))
      .toBeGreaterThan(0);

    // zoom out to country level: the bundled place names appear. With the keyboard ('-' on the focused
    // map), not the zoom buttons: they are <a href="#">, and a click on one made Playwright wait for a
    // navigation that, on a loaded machine, timed out (3 runs in 5).
    await map.focus();
    for (let i = 0; i < 6; i++) await map.press('-');
    await expect
      .poll(async () => Number(await map.getAttribute('data-places', { timeout: 2000 })), { timeout: 15_000 })
      .toBeGreaterThan(5)
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\nmap on the page: ${await map.count()}; page errors: ${pageErrors.join(' | ') || 'none'}; alerts: ${(await page.getByRole('alert').allTextContents()).join(' | ')}`);
      });

    // add a second file in Settings, then remove it
    await page.getByRole('tab', { name: 'Settings' }).click();
    const section = page.getByRole('region', { name: 'Map sources' });
    await section.getByRole('textbox', { name: 'MBTiles file' }).fill(second);
    await section.getByRole('button', { name: 'Add MBTiles' }).click();
    await expect.poll(() => section.locator('.mbtiles-list li').count()).toBe(2);
    expect(await section.locator('.mbtiles-list').textContent()).toContain('Coventry');
    await expect.poll(() => map.getAttribute('data-map-sources')).toContain('Coventry (MBTiles)');
    await section.getByRole('textbox', { name: 'MBTiles file' }).fill(path.join(dir, 'nope.mbtiles'));
    await section.getByRole('button', { name: 'Add MBTiles' }).click();
    await expect.poll(() => section.locator('.error').textContent()).toContain('nope.mbtiles could not be opened as an MBTiles map');
    await section.locator('li', { hasText: 'Coventry' }).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => section.locator('.mbtiles-list li').count()).toBe(1);
    expect(await section.textContent()).toContain('0 fetched since start');
    await page.screenshot({ path: 'test-results/e2e-offline-map.png' });

    // every request the page made went to FleetDesk itself (or was inline data)
    const outside = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:') && !u.startsWith(origin.replace('http', 'ws')));
    expect(outside).toEqual([]);
    expect(requests.length).toBeGreaterThan(5);
  }, 120_000);
});
