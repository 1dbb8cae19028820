// What a dispatcher hit in a one-hour shift, each seen in the real UI (serve, Chromium): states that must
// change with no new message, overlays that must go with their owner. The page's clock is Playwright's,
// so minutes of silence pass in an instant and the test does not depend on the machine's speed.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, requireTool, startServe, tempDir, wsCall } from '../helpers';

describe.runIf(requireTool('chromium'))('a dispatcher’s shift in the browser', () => {
  let proc: ChildProcess;
  let browser: Browser;
  let page: Page;
  let osmandPort: number;
  let url: string;

  /** One OsmAnd report; `speedKmh` is sent in knots as the protocol wants. */
  const report = async (id: string, lat: number, lon: number, speedKmh: number, tsMs = Date.now()) => {
    const res = await fetch(`http://127.0.0.1:${osmandPort}/?id=${id}&lat=${lat}&lon=${lon}&speed=${speedKmh / 1.852}&timestamp=${Math.floor(tsMs / 1000)}`);
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    osmandPort = await freePort();
    const served = await startServe(['--port', '0', '--embedded-broker-port', '0', '--osmand-port', String(osmandPort), '--allow-anonymous', '--db', path.join(tempDir(), 'shift.sqlite')]);
    proc = served.proc;
    url = served.url;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.clock.install();
    await page.goto(served.url);
  });

  afterAll(async () => {
    await browser?.close();
    proc?.kill('SIGTERM');
  });

  it('a vehicle that stops reporting ages from moving to idle to offline in the list, the map and the detail, with no new message', async () => {
    await report('VAN-SILENT', 52.48, -1.89, 40);
    const row = page.locator('li[data-vehicle-id="VAN-SILENT"]');
    await expect.poll(() => row.locator('.dot').getAttribute('title'), { timeout: 10_000 }).toBe('moving');
    await row.click();
    const badge = page.getByTestId('vehicle-detail').locator('.badge');
    const map = page.getByTestId('vehicle-canvas');
    expect(await badge.textContent()).toBe('moving');
    await expect.poll(() => map.getAttribute('data-statuses')).toBe('offline:0,idle:0,moving:1');
    // two and a half minutes of silence: its last speed says nothing about now
    await page.clock.fastForward(150_000);
    await expect.poll(() => row.locator('.dot').getAttribute('title')).toBe('idle');
    expect(await badge.textContent()).toBe('idle');
    await expect.poll(() => map.getAttribute('data-statuses')).toBe('offline:0,idle:1,moving:0');
    // past five minutes it is offline, as the status bar already counts it
    await page.clock.fastForward(180_000);
    await expect.poll(() => row.locator('.dot').getAttribute('title')).toBe('offline');
    expect(await badge.textContent()).toBe('offline');
    await expect.poll(() => map.getAttribute('data-statuses')).toBe('offline:1,idle:0,moving:0');
  });

  it('an ETA line and its label go with their vehicle: on Esc, on another vehicle, on "—"', async () => {
    await wsCall(url, 'saveGeofence', { name: 'Depot', category: 'depot', geometry: { type: 'Circle', center: [-1.85, 52.5], radiusM: 100 } });
    await report('VAN-ETA', 52.47, -1.9, 30);
    await report('VAN-OTHER', 52.46, -1.91, 30);
    const map = page.locator('.map');
    const search = page.getByLabel('Search vehicles');
    const showEta = async () => {
      await page.locator('li[data-vehicle-id="VAN-ETA"]').click();
      await page.getByLabel('ETA destination').selectOption({ label: 'Depot' });
      await expect.poll(() => map.getAttribute('data-eta'), { timeout: 10_000 }).not.toBeNull();
      expect(await page.locator('.leaflet-tooltip', { hasText: 'Depot:' }).count()).toBe(1);
    };
    const gone = async () => {
      await expect.poll(() => map.getAttribute('data-eta')).toBeNull();
      await expect.poll(() => page.locator('.leaflet-tooltip', { hasText: 'Depot:' }).count()).toBe(0); // after Leaflet's fade
    };
    await showEta();
    await search.focus();
    await page.keyboard.press('Escape');
    await gone();
    await showEta();
    await page.locator('li[data-vehicle-id="VAN-OTHER"]').click();
    await gone();
    await showEta();
    await page.getByLabel('ETA destination').selectOption({ label: '—' });
    await gone();
  });

  it('the vehicle list keeps the selection in view on ↑/↓, / starts a new search, and an empty result says so', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => report(`LIST-${String(i).padStart(2, '0')}`, 52.4 + i * 0.001, -1.8, 0)));
    const search = page.getByLabel('Search vehicles');
    await search.fill('LIST-');
    await expect.poll(() => page.locator('li[data-vehicle-id^="LIST-"]').count(), { timeout: 10_000 }).toBe(40);
    await page.locator('li[data-vehicle-id="LIST-00"]').click();
    const list = page.getByRole('listbox', { name: 'Vehicle list' });
    await list.focus();
    for (let i = 0; i < 35; i++) await page.keyboard.press('ArrowDown');
    const selected = page.locator('li[data-vehicle-id="LIST-35"]');
    await expect.poll(() => selected.getAttribute('aria-selected')).toBe('true');
    const inView = async () => {
      const l = (await list.boundingBox())!;
      const r = (await selected.boundingBox())!;
      return r.y >= l.y - 1 && r.y + r.height <= l.y + l.height + 1;
    };
    await expect.poll(inView).toBe(true);

    // "/" in the search box selects what is there, so the next keys start a new search
    await search.focus();
    await page.keyboard.press('/');
    expect(await search.inputValue()).toBe('LIST-');
    await page.keyboard.type('NOPE');
    expect(await search.inputValue()).toBe('NOPE');
    await expect.poll(() => page.locator('.vehicle-list .no-match').textContent()).toBe('No vehicle or driver matches “NOPE”');
    await search.fill('');
  });

  it('the Alerts vehicle filter filters as it is typed', async () => {
    await wsCall(url, 'saveGeofence', { name: 'No-go', category: 'restricted', geometry: { type: 'Circle', center: [-1.7, 52.3], radiusM: 100 } });
    const t = Date.now() - 120_000;
    for (const id of ['ALRT-A', 'ALRT-B']) {
      await report(id, 52.3018, -1.7, 20, t);
      await report(id, 52.3, -1.7, 20, t + 10_000);
    }
    await page.getByRole('tab', { name: /^Alerts/ }).click();
    const rows = page.locator('li.alert[data-alert-type="geofence_enter"]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    await page.getByLabel('Filter by vehicle').pressSequentially('ALRT-B'); // no Enter, no leaving the field
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('ALRT-B');
  });
});
