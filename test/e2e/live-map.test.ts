// The real UI in Debian's Chromium against `fleetdesk serve --demo`: a dispatcher's first minutes.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, requireTool, startServe, telemetry, tempDir } from '../helpers';

const haveTools = requireTool('chromium') && requireTool('mosquitto_pub');
const SHOTS = path.resolve('test-results');

describe.runIf(haveTools)('live map in the browser (serve --demo)', () => {
  let proc: ChildProcess;
  let browser: Browser;
  let page: Page;
  let brokerPort: number;
  let dbFile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const httpPort = await freePort();
    brokerPort = await freePort();
    dbFile = path.join(tempDir(), 'e2e.sqlite');
    const served = await startServe(['--demo', '--demo-vehicles', '350', '--port', String(httpPort), '--embedded-broker-port', String(brokerPort), '--osmand-port', '0', '--db', dbFile]);
    proc = served.proc;
    const url = served.url;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(url);
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    proc?.kill('SIGTERM');
  });

  it('shows the demo fleet online and drawn on the map', async () => {
    await expect.poll(async () => Number((await page.getByTestId('vehicles-online').textContent())?.match(/^(\d+) vehicles online/)?.[1] ?? 0), { timeout: 20_000 }).toBeGreaterThanOrEqual(50);
    await expect.poll(async () => Number(await page.getByTestId('vehicle-canvas').getAttribute('data-drawn')), { timeout: 10_000 }).toBeGreaterThanOrEqual(50);
    expect(await page.getByTestId('broker-state').textContent()).toContain('connected');
  });

  it('lists a large fleet without drawing every row, and search finds any vehicle', async () => {
    await expect.poll(() => page.locator('li[data-vehicle-id]').count(), { timeout: 15_000 }).toBe(300);
    // 300 rows are drawn as soon as 300 vehicles have reported; the other 50 report within seconds
    await expect.poll(() => page.locator('li.more').textContent(), { timeout: 15_000 }).toBe('50 more — type in the search to narrow the list');
    await page.keyboard.press('/');
    await page.keyboard.type('VH-350');
    await expect.poll(() => page.locator('li[data-vehicle-id]').count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('vehicle-detail').textContent()).toContain('VH-350');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('li[data-vehicle-id]').count()).toBe(300);
  });

  it('shows vehicles moving: a selected vehicle’s position changes', async () => {
    await page.locator('li[data-vehicle-id="VH-002"]').click();
    const detail = page.getByTestId('vehicle-detail');
    await expect.poll(() => detail.textContent()).toContain('VH-002');
    const position = async () => (await detail.locator('dt:text("Position") + dd').textContent())!;
    const first = await position();
    await expect.poll(position, { timeout: 15_000 }).not.toBe(first);
  });

  it('shows a geofence alert and lets the dispatcher acknowledge it', async () => {
    // depot visits are info: the list opens on warning and critical, so switch info on
    await page.getByRole('button', { name: 'info', exact: true }).click();
    // one line per alert (the demo's depot visits would otherwise gather into groups by fence)
    await page.getByLabel('group by cause').uncheck();
    const alert = page.locator('li.alert[data-alert-type^="geofence_"]').first();
    await alert.waitFor({ timeout: 45_000 });
    const id = Number(await alert.getAttribute('data-alert-id'));
    expect(await alert.textContent()).toMatch(/entered|left/);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-live-map.png') });
    await page.getByRole('button', { name: `Acknowledge alert ${id}` }).click();
    // an acknowledged line stays in place while the pointer is over the list, and goes when it leaves
    await page.mouse.move(5, 5);
    await expect.poll(() => page.locator(`li.alert[data-alert-id="${id}"]`).count()).toBe(0);
    const db = new Database(dbFile, { readonly: true });
    const row = db.prepare('SELECT acknowledged_ms, acknowledged_by FROM alerts WHERE id = ?').get(id) as { acknowledged_ms: number; acknowledged_by: string };
    db.close();
    expect(row.acknowledged_by).toBe('dispatcher');
    expect(row.acknowledged_ms).toBeGreaterThan(0);
  });

  it('a mosquitto_pub of one message for a new vehicle puts it on the map; a bad one is dead-lettered and the app keeps going', async () => {
    const pub = (msg: string) => {
      const r = spawnSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(brokerPort), '-q', '1', '-t', 'fleet/NEW-777/telemetry', '-m', msg]);
      expect(r.status, String(r.stderr)).toBe(0);
    };
    const started = Date.now();
    pub(JSON.stringify(telemetry({ vehicle_id: 'NEW-777', timestamp: new Date().toISOString(), lat: 52.4862, lon: -1.8904 })));
    await page.locator('li[data-vehicle-id="NEW-777"]').waitFor({ timeout: 5_000 });
    console.log(`NEW-777 appeared in the UI ${Date.now() - started} ms after mosquitto_pub`);
    const rejectedBefore = Number((await page.locator('footer').textContent())?.match(/rejected (\d+)/)?.[1]);
    pub('{"vehicle_id": "NEW-777", "lat": "not a number"');
    await expect.poll(async () => Number((await page.locator('footer').textContent())?.match(/rejected (\d+)/)?.[1]), { timeout: 5_000 }).toBe(rejectedBefore + 1);
    // Still live after the bad message.
    const ingested = async () => Number((await page.locator('footer').textContent())?.match(/ingested (\d+)/)?.[1]);
    const before = await ingested();
    await expect.poll(ingested, { timeout: 5_000 }).toBeGreaterThan(before);
    expect(pageErrors).toEqual([]);
  });
});
