// Depots and headquarters on screen (Chromium, 1280×720): the depot's status bar says whether headquarters'
// broker is reachable and how much waits to go; headquarters lists the depot with its vehicles, narrows the
// vehicle list, the map and the alert queue to one depot, shows the depot's alert and job as the depot's —
// nothing to press here — and pushes its geofence and rules to one depot, which runs them and says which version.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, openApp, requireTool, startMosquitto, startServe, telemetry, tempDir, wsCall, type Mosquitto } from '../helpers';

describe.runIf(requireTool('chromium') && requireTool('mosquitto'))('depots and headquarters in the browser', () => {
  let upstream: Mosquitto;
  let depot: Awaited<ReturnType<typeof openApp>>;
  let hq: Awaited<ReturnType<typeof openApp>>;
  let depotBroker: string;
  let south: ChildProcess;
  let southBroker: string;

  beforeAll(async () => {
    upstream = await startMosquitto();
    const port = await freePort();
    depotBroker = `mqtt://127.0.0.1:${port}`;
    hq = await openApp(['--headquarters', '--depots-broker', upstream.url], { viewport: { width: 1280, height: 720 } });
    depot = await openApp(['--embedded-broker-port', String(port), '--allow-anonymous', '--depot-id', 'north', '--upstream', upstream.url], { viewport: { width: 1280, height: 720 } });
    // a second depot, headless
    const southPort = await freePort();
    southBroker = `mqtt://127.0.0.1:${southPort}`;
    south = (await startServe(['--port', '0', '--osmand-port', 'off', '--embedded-broker-port', String(southPort), '--allow-anonymous', '--db', path.join(tempDir(), 'south.sqlite'), '--depot-id', 'south', '--upstream', upstream.url])).proc;
  });

  afterAll(async () => {
    await depot?.close();
    south?.kill('SIGTERM');
    await hq?.close();
    await upstream?.stop();
  });

  it('the depot says its link and backlog; headquarters shows the depots, filters by one, leaves their alerts to them and pushes its fences to one', async () => {
    const pub = await mqtt.connectAsync(depotBroker, { clientId: 'fed-e2e-pub' });
    const now = Date.now();
    for (let i = 0; i < 6; i++) {
      await pub.publishAsync(`fleet/N-${i}/telemetry`, JSON.stringify(telemetry({ vehicle_id: `N-${i}`, timestamp: now - 5000, lat: 52.48 + i * 0.01, lon: -1.9, hdop: 0.9, dtc_codes: i === 0 ? ['P0420'] : [] })), { qos: 1 });
    }
    await pub.endAsync();
    const pubS = await mqtt.connectAsync(southBroker, { clientId: 'fed-e2e-pub-s' });
    for (let i = 0; i < 2; i++) await pubS.publishAsync(`fleet/S-${i}/telemetry`, JSON.stringify(telemetry({ vehicle_id: `S-${i}`, timestamp: now - 5000, lat: 52.3, lon: -1.7 + i * 0.01, hdop: 0.9 })), { qos: 1 });
    await pubS.endAsync();

    const d = depot.page;
    await expect.poll(() => d.getByTestId('federation').textContent(), { timeout: 15_000 }).toBe('↑ HQ connected · up to date');

    const h = hq.page;
    await expect.poll(() => h.getByTestId('federation').textContent(), { timeout: 15_000 }).toBe('2 depots');
    await expect.poll(() => h.locator('li[data-vehicle-id]').count(), { timeout: 10_000 }).toBe(8);
    // the depot's trouble-code alert, marked as the depot's, with nothing to press here
    const alert = h.locator('li.alert[data-alert-type="dtc"]');
    await expect.poll(() => alert.count(), { timeout: 10_000 }).toBe(1);
    expect(await alert.locator('.badge.depot').textContent()).toBe('north');
    expect(await alert.getByRole('button', { name: /^Acknowledge alert/ }).count()).toBe(0);
    expect(await alert.getByRole('button', { name: /^Take alert/ }).count()).toBe(0);

    // one depot's vehicles on the list and the map, and its alerts; then all again
    const depotSelect = h.getByRole('combobox', { name: 'Depot' });
    await expect.poll(() => depotSelect.locator('option').allTextContents()).toEqual(['All depots (2)', 'north · 6 vehicles', 'south · 2 vehicles']);
    await depotSelect.selectOption('south');
    await expect.poll(() => h.locator('li[data-vehicle-id]').allTextContents()).toEqual([expect.stringContaining('S-0'), expect.stringContaining('S-1')]);
    await expect.poll(() => h.locator('.map').getAttribute('data-vehicles')).toBe('2');
    expect(await alert.count()).toBe(0);
    // a report of the depot: "whole fleet" is the depot's vehicles
    await h.keyboard.press('Alt+9'); // History
    const q = h.getByRole('form', { name: 'History query' });
    await q.locator('input[name="vehicles"]').fill('S-0');
    await q.getByRole('button', { name: 'Show history' }).click();
    const box = h.getByRole('region', { name: 'Export report' });
    await box.getByRole('combobox', { name: 'Report' }).selectOption('positions');
    await box.getByRole('combobox', { name: 'Format' }).selectOption('csv');
    await box.getByLabel('all of depot south').check();
    const [download] = await Promise.all([h.waitForEvent('download'), box.getByRole('button', { name: 'Export CSV' }).click()]);
    const saved = path.join(tempDir(), 'south.csv');
    await download.saveAs(saved);
    const vehiclesInFile = new Set(readFileSync(saved, 'utf8').split('\r\n').filter(Boolean).slice(1).map((l) => l.split(',')[0]));
    expect([...vehiclesInFile].sort()).toEqual(['S-0', 'S-1']);
    await depotSelect.selectOption('north');
    await expect.poll(() => h.locator('li[data-vehicle-id]').count()).toBe(6);
    await h.getByRole('tab', { name: /^Alerts/ }).click();
    await expect.poll(() => alert.count()).toBe(1);
    await depotSelect.selectOption('');
    await expect.poll(() => h.locator('.map').getAttribute('data-vehicles')).toBe('8');
    // Ingest: each depot, its vehicles, current
    await h.getByRole('button', { name: '2 depots' }).click();
    const row = h.getByRole('table', { name: 'Depots' }).locator('tr[data-depot="north"]');
    await expect.poll(() => row.locator('td').allTextContents()).toEqual(['north', '6', expect.stringMatching(/s ago$/), 'current', '—']);

    // headquarters' fence, pushed to north: the depot runs it, says which version, and south has none
    await wsCall(hq.url, 'saveGeofence', { name: 'HQ yard', category: 'depot', geometry: { type: 'Circle', center: [-1.9, 52.5], radiusM: 300 }, rules: { entryDelayS: 20 } });
    await h.getByRole('button', { name: 'Push fences to north' }).click();
    await expect.poll(() => h.getByTestId('push-result').textContent()).toBe('Sent — fences to north: version 1 (1 fences)');
    await expect.poll(() => row.locator('td').nth(4).textContent()).toBe('fences v1 (1)');
    await expect.poll(() => d.locator('.map').getAttribute('data-fences'), { timeout: 10_000 }).toBe('1');
    const atDepot = await wsCall<{ name: string; rules: { entryDelayS?: number } }[]>(depot.url, 'listGeofences', {});
    expect(atDepot.map((f) => [f.name, f.rules.entryDelayS])).toEqual([['HQ yard', 20]]);
    // and its rules: north runs them as version 1, says so in Ingest and on the Rules tab
    await h.getByRole('button', { name: 'Push rules to north' }).click();
    await expect.poll(() => h.getByTestId('push-result').textContent()).toBe('Sent — rules to north: version 1');
    await expect.poll(() => row.locator('td').nth(4).textContent()).toBe('fences v1 (1) · rules v1');
    await h.screenshot({ path: 'test-results/e2e-federation-hq-ingest.png' });
    await d.getByTestId('federation').click();
    await expect.poll(() => d.getByTestId('pushed-fences').textContent(), { timeout: 10_000 }).toMatch(/^Fences from headquarters: version 1 \(1 fence\), arrived \d+s ago from /);
    await expect.poll(() => d.getByTestId('pushed-rules').textContent(), { timeout: 10_000 }).toMatch(/^Rules from headquarters: version 1, arrived \d+s ago from /);
    // the depot's admin may send headquarters again what it committed since a time (the default: a day)
    await d.getByRole('form', { name: 'Send again to headquarters' }).getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => d.getByTestId('send-again-result').textContent()).toMatch(/^Queued 6 fixes, \d+ alert, job and message changes, 0 driving and 0 geofence events/);
    await d.getByRole('tab', { name: 'Rules' }).click();
    await expect.poll(() => d.getByTestId('rules-from-hq').textContent()).toMatch(/^These rules came from headquarters: version 1/);
    // the pushed fence is headquarters' to change: marked, and its form has nothing to save
    await d.getByRole('tab', { name: 'Fences' }).click();
    const hqYard = d.locator('li[data-fence-id]', { hasText: 'HQ yard' });
    await expect.poll(() => hqYard.locator('.badge.depot').textContent()).toBe('HQ');
    await hqYard.click();
    await expect.poll(() => d.getByTestId('fence-from-hq').textContent()).toMatch(/^From headquarters \(version 1, by .+\): changed there/);
    const fenceForm = d.getByRole('form', { name: 'Geofence properties' });
    expect(await fenceForm.getByRole('button', { name: /^(Save|Delete|Edit shape)$/ }).count()).toBe(0);

    // a job north dispatches shows at headquarters as north's: its stops and timeline, nothing to press
    const job = await wsCall<{ id: number }>(depot.url, 'createJob', { ref: 'Depot run', stops: [{ lat: 52.45, lon: -1.88, name: 'Moseley' }] });
    await wsCall(depot.url, 'assignJob', { id: job.id, vehicleId: 'N-1' });
    await h.keyboard.press('Alt+J');
    const hqJob = h.getByRole('list', { name: 'Jobs' }).locator('li', { hasText: 'Depot run' });
    await expect.poll(() => hqJob.textContent(), { timeout: 10_000 }).toMatch(/Depot run\s*offered\s*north\s*N-1/);
    await hqJob.click();
    const detail = h.getByRole('region', { name: /^Job \d+$/ });
    await expect.poll(() => detail.locator('.badge.depot').textContent()).toBe('north');
    expect(await detail.getByRole('button', { name: /^(Reassign…|Suggest vehicles|Cancel job…)$/ }).count()).toBe(0);
    await h.screenshot({ path: 'test-results/e2e-federation-hq.png' });

    // the depot's Settings show its link, set on the command line: read here, changed there
    await d.getByRole('tab', { name: 'Settings' }).click();
    const link = d.getByRole('region', { name: 'Headquarters link' });
    await expect.poll(() => link.getByLabel('Depot id').inputValue()).toBe('north');
    expect(await link.getByLabel('Depot id').isDisabled()).toBe(true);
    expect(await link.textContent()).toContain('Set on the command line (--depot-id, --upstream): change it there.');
    // headquarters has no such section
    await h.getByRole('tab', { name: 'Settings' }).click();
    await h.getByRole('region', { name: 'Map sources' }).waitFor();
    expect(await h.getByRole('region', { name: 'Headquarters link' }).count()).toBe(0);

    // the WAN goes: the depot says so, and how much waits
    await upstream.stop();
    await expect.poll(() => d.getByTestId('federation').textContent(), { timeout: 15_000 }).toMatch(/^↑ HQ unreachable/);
    const pub2 = await mqtt.connectAsync(depotBroker, { clientId: 'fed-e2e-pub2' });
    for (let i = 0; i < 6; i++) await pub2.publishAsync(`fleet/N-${i}/telemetry`, JSON.stringify(telemetry({ vehicle_id: `N-${i}`, timestamp: now - 1000, lat: 52.48 + i * 0.01, lon: -1.89 })), { qos: 1 });
    await pub2.endAsync();
    await expect.poll(() => d.getByTestId('federation').textContent(), { timeout: 10_000 }).toMatch(/^↑ HQ unreachable · 6 rows waiting \(oldest \d+s\)$/);
    await d.screenshot({ path: 'test-results/e2e-federation-depot.png' });
  });
});
