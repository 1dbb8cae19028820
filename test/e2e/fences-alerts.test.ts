// In the real UI: a phone reporting over OsmAnd drives in and out of a restricted circle twice; the
// dispatcher sees the vehicle, the fence on the map, ONE critical alert counted ×2, and the critical
// count in the status bar.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, requireTool, startServe, tempDir, wsCall } from '../helpers';

describe.runIf(requireTool('chromium'))('fences and de-duplicated alerts in the browser', () => {
  let proc: ChildProcess;
  let browser: Browser;
  let page: Page;
  let url: string;
  let osmandPort: number;

  const call = (method: string, params: unknown) => wsCall(url, method, params);

  beforeAll(async () => {
    osmandPort = await freePort();
    const served = await startServe(['--port', '0', '--embedded-broker-port', String(await freePort()), '--osmand-port', String(osmandPort), '--allow-anonymous', '--db', path.join(tempDir(), 'f.sqlite')]);
    proc = served.proc;
    url = served.url;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    proc?.kill('SIGTERM');
  });

  it('draws a circle fence, shows an OsmAnd phone, and folds a repeated entry into one critical alert ×2', async () => {
    await call('saveGeofence', { name: 'Yard gate', category: 'restricted', geometry: { type: 'Circle', center: [-1.89, 52.48], radiusM: 100 } });
    await expect.poll(() => page.locator('.map').getAttribute('data-fences')).toBe('1');
    const t = Math.floor(Date.now() / 1000) - 120;
    // outside, inside, outside, inside: 10 s apart, ~200 m steps (72 km/h, trusted by the drift filter)
    for (const [i, lat] of [52.4818, 52.48, 52.4818, 52.48].entries()) {
      const res = await fetch(`http://127.0.0.1:${osmandPort}/?id=PHONE-7&lat=${lat}&lon=-1.89&timestamp=${t + i * 10}&speed=20`);
      expect(res.status).toBe(200);
    }
    await page.locator('li[data-vehicle-id="PHONE-7"]').waitFor({ timeout: 5000 });
    const enter = page.locator('li.alert[data-alert-type="geofence_enter"]');
    await expect.poll(() => enter.locator('.repeat').textContent(), { timeout: 5000 }).toBe('×2');
    expect(await enter.count()).toBe(1);
    expect(await enter.textContent()).toContain('PHONE-7 entered Yard gate');
    await expect.poll(() => page.getByTestId('open-alerts').textContent(), { timeout: 3000 }).toContain('1 critical');
    await page.screenshot({ path: 'test-results/e2e-fences-alerts.png' });
  });

  it('shows a fence name as text in its map tooltip, never as markup', async () => {
    const name = '<b class="injected">Depot</b><img src=x onerror="document.title=1">';
    const fence = (await call('saveGeofence', { name, category: 'depot', geometry: { type: 'Circle', center: [-1.8, 52.5], radiusM: 60 } })) as { id: string };
    // the Fences tab: a click on the row fits the map to the fence, so it lies under the map's centre
    await page.getByRole('tab', { name: 'Fences' }).click();
    await page.locator(`li[data-fence-id="${fence.id}"]`).click();
    const box = (await page.locator('.map').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2 - 5, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tooltip = page.locator('.leaflet-tooltip', { hasText: 'Depot' });
    await tooltip.waitFor({ timeout: 5000 });
    expect(await tooltip.textContent()).toBe(`${name} (depot)`);
    expect(await page.locator('.leaflet-tooltip .injected, .leaflet-tooltip img').count()).toBe(0);
  });
});
