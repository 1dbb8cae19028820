// Devices and Ingest health in the real UI, without demo mode (so anonymous access is off).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, requireTool, startServe, telemetry, tempDir } from '../helpers';

const haveTools = requireTool('chromium') && requireTool('mosquitto_pub');

describe.runIf(haveTools)('devices and ingest health in the browser', () => {
  let proc: ChildProcess;
  let browser: Browser;
  let page: Page;
  let brokerPort: number;

  const pub = (msg: string, auth: string[] = []) =>
    spawnSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(brokerPort), '-q', '1', ...auth, '-t', 'fleet/VAN-17/telemetry', '-m', msg], { encoding: 'utf8' });

  beforeAll(async () => {
    const httpPort = await freePort();
    brokerPort = await freePort();
    const served = await startServe(['--port', String(httpPort), '--embedded-broker-port', String(brokerPort), '--osmand-port', 'off', '--db', path.join(tempDir(), 'd.sqlite')]);
    proc = served.proc;
    const url = served.url;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    proc?.kill('SIGTERM');
  });

  it('refuses an anonymous publisher, and accepts a vehicle added in the Devices tab with its one-time secret', async () => {
    const anon = pub(JSON.stringify(telemetry({ vehicle_id: 'VAN-17', timestamp: new Date().toISOString() })));
    expect(anon.status).not.toBe(0);
    expect(anon.stderr).toMatch(/not authori[sz]ed/i);

    await page.keyboard.press('Alt+5'); // Devices
    await page.getByLabel('New vehicle id').fill('VAN-17');
    await page.getByRole('button', { name: 'Add vehicle' }).click();
    const secret = await page.getByTestId('new-secret').inputValue();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const ok = pub(JSON.stringify(telemetry({ vehicle_id: 'VAN-17', timestamp: new Date().toISOString() })), ['-u', 'VAN-17', '-P', secret]);
    expect(ok.status, ok.stderr).toBe(0);
    await page.locator('li[data-vehicle-id="VAN-17"]').waitFor({ timeout: 5000 });
    await expect.poll(() => page.getByTestId('vehicles-online').textContent(), { timeout: 5000 }).toBe('1 vehicles online');
  });

  it('shows a rejected message by reason in the Ingest tab, with its raw payload', async () => {
    const secret = await page.getByTestId('new-secret').inputValue();
    expect(pub('{"vehicle_id":"VAN-17","lat":', ['-u', 'VAN-17', '-P', secret]).status).toBe(0);
    await page.keyboard.press('Alt+4'); // Ingest
    await expect.poll(() => page.getByTestId('rejects-by-reason').textContent(), { timeout: 5000 }).toContain('malformed JSON');
    await expect.poll(async () => (await page.locator('footer').textContent())?.match(/rejected (\d+)/)?.[1], { timeout: 2000 }).toBe('1');
    await page.locator('[data-dead-letter-id] button').first().click();
    expect(await page.getByLabel('Raw payload').textContent()).toContain('{"vehicle_id":"VAN-17","lat":');
    // two bad times (their values hold colons): one row, labelled by what is wrong, with a real example
    for (const ts of ['2026-11-02T02:00:00', '2026-11-03T09:30:00']) {
      expect(pub(JSON.stringify(telemetry({ vehicle_id: 'VAN-17', timestamp: ts })), ['-u', 'VAN-17', '-P', secret]).status).toBe(0);
    }
    const timeRow = page.getByTestId('rejects-by-reason').locator('tr', { hasText: 'Time not ISO-8601 with a zone' });
    await expect.poll(() => timeRow.locator('td.num').textContent(), { timeout: 5000 }).toBe('2');
    expect(await timeRow.locator('.example').textContent()).toMatch(/^e\.g\. timestamp "2026-11-0\dT\d\d:\d\d:00" is not ISO-8601 with a time zone/);
    expect(await page.getByTestId('rejects-by-reason').textContent()).not.toContain('"N-N');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/e2e-ingest-health.png' });
  });
});
