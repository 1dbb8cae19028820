// A whole dispatch cycle in the real UI (Chromium) on a real service and broker: a dispatcher creates a job
// (one stop placed with a map click, one typed), asks for suggestions — ordered by ETA, drawn on the map —
// assigns the first with the key 1; the vehicle's device (a real MQTT client with its own secret) receives
// the job and accepts; the vehicle's positions enter the first stop (arrived), leave it (on to the next), the
// driver marks the last done: the job is done. Leaving the tab takes its overlay off the map.
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, openApp, requireTool, telemetry, tempDir, wsCall } from '../helpers';

describe.runIf(requireTool('chromium'))('dispatching a job in the browser', () => {
  let app: Awaited<ReturnType<typeof openApp>>;
  let brokerUrl: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    const brokerPort = await freePort();
    brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;
    app = await openApp(['--embedded-broker-port', String(brokerPort), '--allow-anonymous', '--db', path.join(tempDir(), 'dispatch.sqlite')], { viewport: { width: 1280, height: 720 } });
  });

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true);
    await app?.close();
  });

  it('creates, suggests by ETA, assigns with a key, and follows the vehicle to done', async () => {
    const { page, url } = app;
    const pub = await mqtt.connectAsync(brokerUrl, { clientId: 'e2e-dispatch-pub' });
    clients.push(pub);
    const T0 = Date.now() - 600_000;
    const fix = (id: string, lat: number, lon: number, tsMs: number, speed = 30) => pub.publishAsync(`fleet/${id}/telemetry`, JSON.stringify(telemetry({ vehicle_id: id, lat, lon, speed_kmh: speed, timestamp: tsMs })), { qos: 1 });
    await fix('VAN-1', 52.509, -1.9, T0);
    await fix('VAN-2', 52.545, -1.9, T0);
    await fix('VAN-3', 52.608, -1.9, T0);
    await expect.poll(() => page.locator('li[data-vehicle-id]').count(), { timeout: 10_000 }).toBe(3);
    // VAN-1's device, listening with its own secret
    const { secret } = await wsCall<{ secret: string }>(url, 'createDeviceCredential', { vehicleId: 'VAN-1' });
    const dev = await mqtt.connectAsync(brokerUrl, { clientId: 'VAN-1', username: 'VAN-1', password: secret, clean: false });
    clients.push(dev);
    const received: { type: string; job_id: number }[] = [];
    dev.on('message', (_t, p) => received.push(JSON.parse(String(p))));
    await dev.subscribeAsync('fleet/VAN-1/jobs', { qos: 1 });

    await page.keyboard.press('Alt+j');
    await page.getByRole('button', { name: 'New job…' }).click();
    const form = page.getByRole('form', { name: 'New job' });
    await form.getByLabel('Customer or place').fill('Acme Ltd');
    await form.getByLabel('Stop 1 name').fill('Depot gate');
    // placed with a click on the map: the field takes where the click was
    await form.getByRole('button', { name: 'Pick' }).click();
    await page.locator('.map').click({ position: { x: 200, y: 300 } });
    await expect.poll(() => form.getByLabel('Stop 1 position').inputValue()).toMatch(/^-?\d+\.\d{5}, -?\d+\.\d{5}$/);
    // …then typed exactly
    await form.getByLabel('Stop 1 position').fill('52.5, -1.9');
    await form.getByLabel('Stop 1 arrival radius (m)').fill('100');
    await form.getByRole('button', { name: 'Add stop' }).click();
    await form.getByLabel('Stop 2 name').fill('Acme');
    await form.getByLabel('Stop 2 position').fill('52.52, -1.95');
    await form.getByRole('button', { name: 'Create job' }).click();

    const detail = page.getByRole('region', { name: /^Job \d+$/ });
    await expect.poll(() => detail.locator('h3').textContent()).toMatch(/^#\d+ Acme Ltd planned$/);
    const jobId = Number((await detail.getAttribute('aria-label'))!.replace('Job ', ''));
    await expect.poll(() => page.locator('.map').getAttribute('data-job-stops')).toBe('2');
    await detail.getByRole('button', { name: 'Suggest vehicles' }).click();
    const rows = detail.getByRole('region', { name: 'Suggested vehicles' }).locator('tbody tr');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-vehicle-id')))).toEqual(['VAN-1', 'VAN-2', 'VAN-3']);
    expect(await rows.first().locator('td.why').textContent()).toMatch(/^free · /);
    expect(await page.locator('.map').getAttribute('data-job-lines')).toBe('VAN-1,VAN-2,VAN-3');
    await page.screenshot({ path: 'test-results/e2e-dispatch-suggest.png' });
    await page.keyboard.press('1');
    await expect.poll(() => detail.getByTestId('job-delivery').textContent(), { timeout: 10_000 }).toMatch(/^VAN-1 · (sent, waiting for the device|on the device)/);
    await expect.poll(() => received.map((m) => m.job_id)).toEqual([jobId]);
    await expect.poll(() => detail.getByTestId('job-delivery').textContent()).toContain('on the device');
    await dev.publishAsync('fleet/VAN-1/jobs/ack', JSON.stringify({ job_id: jobId, status: 'accepted' }), { qos: 1 });
    await expect.poll(() => detail.locator('h3 .badge').textContent()).toBe('accepted');
    // the map now joins the assigned vehicle alone to its next stop
    expect(await page.locator('.map').getAttribute('data-job-lines')).toBe('VAN-1');

    // into the first stop and out again, then the driver finishes the last on the device
    const t = T0 + 120_000;
    await fix('VAN-1', 52.503, -1.9, t - 60_000);
    await fix('VAN-1', 52.5005, -1.9, t - 50_000, 5);
    await fix('VAN-1', 52.5003, -1.9, t - 38_000, 0);
    await expect.poll(() => detail.locator('li[data-stop="1"]').getAttribute('data-status'), { timeout: 10_000 }).toBe('arrived');
    expect(await detail.locator('h3 .badge').textContent()).toBe('arrived');
    await fix('VAN-1', 52.503, -1.905, t - 20_000);
    await fix('VAN-1', 52.506, -1.91, t - 8000);
    await expect.poll(() => detail.locator('li[data-stop="1"]').getAttribute('data-status'), { timeout: 10_000 }).toBe('done');
    await expect.poll(() => detail.locator('h3 .badge').textContent()).toBe('en route');
    await dev.publishAsync('fleet/VAN-1/jobs/ack', JSON.stringify({ job_id: jobId, status: 'stop_done', stop: 2 }), { qos: 1 });
    await expect.poll(() => detail.locator('h3 .badge').textContent(), { timeout: 10_000 }).toBe('done');
    await expect.poll(() => page.locator('.map').getAttribute('data-job-lines')).toBe('');
    await expect.poll(() => detail.getByRole('list', { name: 'Timeline' }).locator('li b').allTextContents()).toEqual(['planned', 'offered', 'delivered', 'accepted', 'en route', 'arrived', 'departed', 'en route', 'stop done', 'done']);
    await page.screenshot({ path: 'test-results/e2e-dispatch-done.png' });

    // the job's overlay belongs to the tab: another tab, and it is off the map
    await page.keyboard.press('Alt+1');
    await expect.poll(() => page.locator('.map').getAttribute('data-job-stops')).toBeNull();
  });

  it('a stop at a geofence, settled on the driver\'s word (done, then failed with why), and the job in the vehicle\'s History and replay', async () => {
    const { page, url } = app;
    await wsCall(url, 'saveGeofence', { name: 'Yard C', category: 'depot', geometry: { type: 'Circle', center: [-1.95, 52.56], radiusM: 200 } });
    await page.keyboard.press('Alt+j');
    await page.getByRole('button', { name: 'New job…' }).click();
    const form = page.getByRole('form', { name: 'New job' });
    await form.getByLabel('Customer or place').fill('Yard run');
    await form.getByLabel('Stop 1 geofence').selectOption({ label: 'Yard C' });
    // the point is the fence's: its position field is not asked for
    expect(await form.getByLabel('Stop 1 position').isDisabled()).toBe(true);
    await form.getByRole('button', { name: 'Add stop' }).click();
    await form.getByLabel('Stop 2 name').fill('Shop');
    await form.getByLabel('Stop 2 position').fill('52.57, -1.96');
    // the shop closes in 3 minutes (typed in the screen's local time); VAN-3 is some 11 min away
    const soon = await page.evaluate(() => {
      const d = new Date(Date.now() + 180_000);
      d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
      return d.toISOString().slice(0, 16);
    });
    await form.getByLabel('Stop 2 window end').fill(soon);
    await form.getByRole('button', { name: 'Create job' }).click();
    const detail = page.getByRole('region', { name: /^Job \d+$/ });
    await expect.poll(() => detail.locator('h3').textContent()).toMatch(/^#\d+ Yard run planned$/);
    const jobId = Number((await detail.getAttribute('aria-label'))!.replace('Job ', ''));
    expect(await detail.locator('li[data-stop="1"]').textContent()).toContain('Yard C');
    expect(await detail.locator('li[data-stop="1"]').textContent()).toContain('geofence');

    await detail.getByRole('button', { name: 'Suggest vehicles' }).click();
    await detail.getByRole('button', { name: 'Assign to VAN-3' }).click();
    await expect.poll(() => detail.locator('h3 .badge').textContent()).toBe('offered');
    // the driver phones: the yard is done…
    await detail.getByRole('button', { name: 'Stop 1 done' }).click();
    await expect.poll(() => detail.locator('li[data-stop="1"]').getAttribute('data-status')).toBe('done');
    expect(await detail.locator('h3 .badge').textContent()).toBe('en route');
    // on the way to the shop, its live ETA is past the window: a late warning, in the status bar and the timeline
    await expect.poll(() => page.getByTestId('open-alerts').textContent(), { timeout: 15_000 }).toContain('1 warning');
    await expect.poll(() => detail.getByRole('list', { name: 'Timeline' }).locator('li b').allTextContents()).toContain('late risk');
    // …the shop was closed: a failure asks why, Esc steps back, the reason is recorded
    await detail.getByRole('button', { name: 'Stop 2 failed…' }).click();
    const why = detail.getByRole('form', { name: 'Why stop 2 failed' });
    await why.getByLabel('Reason').press('Escape');
    expect(await why.count()).toBe(0);
    await detail.getByRole('button', { name: 'Stop 2 failed…' }).click();
    await why.getByLabel('Reason').fill('Shop closed');
    await why.getByRole('button', { name: 'Record failure' }).click();
    await expect.poll(() => detail.locator('li[data-stop="2"]').getAttribute('data-status')).toBe('failed');
    expect(await detail.locator('li[data-stop="2"]').textContent()).toContain('failed: Shop closed');
    await expect.poll(() => detail.locator('h3 .badge').textContent()).toBe('done');
    expect(await detail.getByRole('button', { name: /^Stop \d (done|failed…)$/ }).count()).toBe(0);

    // VAN-3's History lists the job's events; a click puts the replay there and the bar says it
    await page.keyboard.press('Alt+9');
    const q = page.getByRole('form', { name: 'History query' });
    await q.locator('input[name="vehicles"]').fill('VAN-3');
    await q.getByRole('button', { name: 'Show history' }).click();
    const jobs = page.getByRole('list', { name: 'Jobs of VAN-3' }).locator('li');
    const p = `#${jobId} Yard run · `;
    // (a 'queued' line too if VAN-3 counted as offline when it was offered)
    await expect
      .poll(async () => (await jobs.allTextContents()).filter((t) => !t.includes('· queued')).map((t) => t.slice(t.indexOf('#'))), { timeout: 10_000 })
      .toEqual([
        `${p}offered — to VAN-3`,
        `${p}accepted — on the driver’s word`,
        `${p}stop done · stop 1 Yard C — settled by a dispatcher`,
        `${p}en route · stop 2 Shop — to stop 2`,
        expect.stringMatching(new RegExp(`^${p}late risk · stop 2 Shop — ETA \\d+ min after the window$`)),
        `${p}stop failed · stop 2 Shop — Shop closed`,
        `${p}done — 1 of 2 stops done`,
      ]);
    const bar = page.getByRole('group', { name: 'History replay' });
    await jobs.filter({ hasText: 'Shop closed' }).click();
    // (the job ended in the same second: the bar says the last thing at the cursor)
    await expect.poll(() => bar.getByTestId('cursor-job').textContent()).toMatch(/^#\d+ Yard run · (stop failed · stop 2 Shop — Shop closed|done — 1 of 2 stops done)$/);
    expect(await bar.locator('.tick.job').count()).toBeGreaterThanOrEqual(5);
    await page.screenshot({ path: 'test-results/e2e-dispatch-history.png' });
  });

  it('a message round trip with the driver: delivered, read, a reply counted unread until a dispatcher sees it', async () => {
    const { page, url } = app;
    const { secret } = await wsCall<{ secret: string }>(url, 'createDeviceCredential', { vehicleId: 'VAN-2' });
    const dev = await mqtt.connectAsync(brokerUrl, { clientId: 'VAN-2', username: 'VAN-2', password: secret, clean: false });
    clients.push(dev);
    const got: { message_id: number; text: string }[] = [];
    dev.on('message', (_t, p) => got.push(JSON.parse(String(p))));
    await dev.subscribeAsync('fleet/VAN-2/messages', { qos: 1 });
    await page.locator('li[data-vehicle-id="VAN-2"]').click();
    const box = page.getByRole('group', { name: 'Messages with VAN-2' });
    await box.getByLabel('Message text').fill('Gate code is 4411');
    await box.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => got.map((m) => m.text)).toEqual(['Gate code is 4411']);
    const last = box.locator('li.msg.down').last();
    await expect.poll(() => last.getAttribute('data-state')).toBe('delivered');
    await dev.publishAsync('fleet/VAN-2/messages/up', JSON.stringify({ type: 'receipt', message_id: got[0]!.message_id, status: 'read' }), { qos: 1 });
    await expect.poll(() => last.locator('.meta').textContent()).toMatch(/· dispatcher · read$/);
    // the reply arrives while the dispatcher looks at another vehicle: counted in the status bar until seen
    await page.locator('li[data-vehicle-id="VAN-3"]').click();
    await dev.publishAsync('fleet/VAN-2/messages/up', JSON.stringify({ type: 'message', text: 'On my way', reply_to: got[0]!.message_id }), { qos: 1 });
    await expect.poll(() => page.getByTestId('unread-messages').textContent(), { timeout: 5000 }).toBe('✉ 1 unread from drivers');
    await page.getByTestId('unread-messages').click();
    await expect.poll(() => box.locator('li.msg.up').last().locator('.text').textContent()).toBe('On my way');
    await expect.poll(() => page.getByTestId('unread-messages').count()).toBe(0);
    // a canned text goes with one click
    await box.getByRole('button', { name: 'Where are you now?' }).click();
    await expect.poll(() => got.map((m) => m.text)).toEqual(['Gate code is 4411', 'Where are you now?']);
    await page.screenshot({ path: 'test-results/e2e-messages.png' });
  });
});
