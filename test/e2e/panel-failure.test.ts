// One part of the console failing does not blank the window: the service (here through a WebSocket the
// test sits in, as a newer or older service might) sends a vehicle the screen cannot show. The vehicle
// list and the map say they stopped and why; tabs, alerts and the status bar go on; once good data has
// arrived, "Reload" brings each part back.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireTool, startServe, tempDir } from '../helpers';

describe.runIf(requireTool('chromium'))('a failing panel in the browser', () => {
  let proc: ChildProcess;
  let browser: Browser;
  let page: Page;
  let toPage: ((frame: unknown) => void) | null = null;

  beforeAll(async () => {
    const dir = tempDir('panel-');
    const served = await startServe(['--port', '0', '--embedded-broker-port', '0', '--osmand-port', 'off', '--demo', '--demo-vehicles', '3', '--db', path.join(dir, 'p.sqlite')]);
    proc = served.proc;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // pass the app's WebSocket through, keeping a way to add frames of our own
    await page.routeWebSocket(/\/api$/, (ws: WebSocketRoute) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => ws.send(m));
      toPage = (frame) => ws.send(JSON.stringify(frame));
    });
    await page.goto(served.url);
  });

  afterAll(async () => {
    await browser?.close();
    proc?.kill('SIGTERM');
  });

  it('shows which part failed and why, keeps the rest working, and reloads the part', async () => {
    const list = page.getByRole('listbox', { name: 'Vehicle list' });
    await expect.poll(() => list.getByRole('option').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(toPage).not.toBeNull();

    // a vehicle state without its last fix: the list (and the map) cannot draw it
    const now = Date.now();
    toPage!({ type: 'event', event: 'positions', payload: [{ vehicleId: 'ODD-1', status: 'moving', lastSeenMs: now, last: null }] });
    const failed = page.getByRole('alert', { name: 'Vehicle list failed' });
    await expect.poll(() => failed.isVisible()).toBe(true);
    expect(await failed.textContent()).toContain('Vehicle list stopped working');
    expect(await failed.locator('.message').textContent()).toMatch(/null/);
    await page.screenshot({ path: 'test-results/e2e-panel-failed.png' });

    // the rest of the console still works: tabs switch, the status bar shows the service
    await page.getByRole('tab', { name: 'Ingest' }).click();
    await expect.poll(() => page.getByTestId('ingest-panel').isVisible()).toBe(true);
    expect(await page.getByRole('status').first().isVisible()).toBe(true);
    expect(await page.getByRole('tab', { name: 'Alerts' }).isVisible()).toBe(true);

    // good data for that vehicle arrives; reloading brings the list (and the map) back
    toPage!({
      type: 'event',
      event: 'positions',
      payload: [{ vehicleId: 'ODD-1', status: 'idle', lastSeenMs: now, last: { vehicleId: 'ODD-1', tsMs: now, lat: 52.48, lon: -1.89, speedKmh: 0, headingDeg: 0, fuelLevelPct: null, engineRpm: null, odometerKm: null, dtcCodes: [], hdop: null, satellites: null, coolantTempC: null, ignition: null, driverId: null } }],
    });
    for (const button of await page.getByRole('button', { name: /^Reload / }).all()) await button.click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'stopped working' }).count()).toBe(0);
    await expect.poll(() => list.getByRole('option').filter({ hasText: 'ODD-1' }).count()).toBe(1);
    await page.screenshot({ path: 'test-results/e2e-panel-failure.png' });
  });
});
