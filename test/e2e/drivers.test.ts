// Driver scores in the real UI: two drivers' telemetry goes in over MQTT (one drives 6 km with one
// harsh brake, one only 1 km); the Drivers tab ranks them, says "not enough driving" for the short
// one, and a click on the harsh brake shows where it happened on the map.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import mqtt from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, requireTool, startServe, telemetry, tempDir } from '../helpers';

describe.runIf(requireTool('chromium'))('driver scores in the browser', () => {
  let proc: ChildProcess;
  let browser: Browser;
  let page: Page;
  let brokerPort: number;

  beforeAll(async () => {
    brokerPort = await freePort();
    const served = await startServe(['--port', '0', '--embedded-broker-port', String(brokerPort), '--allow-anonymous', '--osmand-port', '0', '--db', path.join(tempDir(), 'd.sqlite')]);
    proc = served.proc;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(served.url);
  });

  afterAll(async () => {
    await browser?.close();
    proc?.kill('SIGTERM');
  });

  it('ranks drivers by score per 100 km and shows a harsh brake on the map', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { clientId: 'e2e-drivers' });
    const t0 = Date.now() - 30 * 60_000;
    const send = (vehicle: string, over: Record<string, unknown>) => client.publishAsync(`fleet/${vehicle}/telemetry`, JSON.stringify(telemetry({ vehicle_id: vehicle, lat: 52.48, ...over })), { qos: 1 });
    // DRV-A: 40 fixes 10 s apart at 54 km/h, 0.15 km each on the odometer (5.85 km) …
    for (let i = 0; i < 40; i++) await send('VAN-A', { timestamp: t0 + i * 10_000, lon: -1.95 + i * 0.0022, speed_kmh: 54, odometer_km: 1000 + i * 0.15, driver_id: 'DRV-A' });
    // … then brakes 54 → 36 → 18 km/h in 1 s steps (5 m/s²) and stops: one harsh brake, severity (5 − 3) / 3
    const brakeLon = -1.95 + 40 * 0.0022;
    for (const [k, v] of [54, 36, 18, 18].entries()) {
      await send('VAN-A', { timestamp: t0 + 400_000 + k * 1000, lon: brakeLon + k * 0.0001, speed_kmh: v, odometer_km: 1005.86 + k * 0.007, driver_id: 'DRV-A' });
    }
    // DRV-B: 1 km only
    for (let i = 0; i < 8; i++) await send('VAN-B', { timestamp: t0 + i * 10_000, lon: -1.8 + i * 0.002, lat: 52.5, speed_kmh: 50, odometer_km: 500 + i * 0.14, driver_id: 'DRV-B' });
    await client.endAsync();

    await page.keyboard.press('Alt+6'); // Drivers
    const rowA = page.locator('tr[data-driver-id="DRV-A"]');
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return rowA.count();
      }, { timeout: 10_000 })
      .toBe(1);
    await expect.poll(() => rowA.locator('td').nth(4).textContent(), { timeout: 5000 }).toBe('1');
    const cells = await rowA.locator('td').allTextContents();
    const km = Number(cells[3]);
    expect(km).toBeGreaterThan(5.8);
    expect(km).toBeLessThan(6.0);
    // 3 × 0.667 = 2 points over km → 100 − 200 / km
    expect(Number(cells[2])).toBeCloseTo(100 - 200 / km, 0);
    expect(await page.locator('tr[data-driver-id="DRV-B"]').textContent()).toContain('not enough driving');

    await rowA.click();
    // the score explained beside the rule: the harsh brake's points, per 100 km, and the minimum distance
    const explained = page.getByTestId('score-explained');
    expect(await explained.locator('tbody tr').first().textContent()).toMatch(/^Harsh braking1\s*32\.00$/); // 1 event, penalty 3, severity (5 − 3) / 3
    expect(await explained.textContent()).toMatch(new RegExp(`2\\.00 points over ${km.toFixed(1).replace('.', '\\.')} km = [0-9.]+ per 100 km → score 100 − [0-9.]+ = ${cells[2]!.replace('.', '\\.')}`));
    expect(await explained.textContent()).toContain('Scored from 5 km.');
    // the chart of events by hour has its axis: a bar labelled with its count and its hour
    const chart = page.getByRole('figure', { name: 'Events by hour' });
    expect(await chart.locator('.bar-value').allTextContents()).toEqual(['1']);
    expect(await chart.locator('.x-axis span').count()).toBe(1);
    await page.locator('tr[data-driver-id="DRV-B"]').click();
    expect(await page.getByTestId('score-explained').textContent()).toContain('Not scored: 1.0 km driven, under the 5 km a score needs');
    await rowA.click();
    const event = page.locator('.event-list li').first();
    await event.waitFor();
    expect(await event.textContent()).toContain('Harsh braking');
    await event.click();
    const focus = await page.locator('.map').getAttribute('data-focus');
    const [lat, lon] = focus!.split(',').map(Number);
    expect(lat).toBeCloseTo(52.48, 3);
    expect(lon).toBeCloseTo(brakeLon, 3);
    await page.screenshot({ path: 'test-results/e2e-drivers.png' });
    // the marker belongs to the Drivers tab: it goes with it
    await page.keyboard.press('Alt+1');
    await expect.poll(() => page.locator('.map').getAttribute('data-focus')).toBeNull();
    await expect.poll(() => page.locator('.leaflet-tooltip', { hasText: 'Harsh braking' }).count()).toBe(0); // after Leaflet's fade
  });
});
