// A control room on one hub (serve --require-sign-in), in real Chromium: the first screen creates the
// admin; two dispatchers and a wallboard sign in in their own browser contexts; an acknowledgement by one
// reaches the other within a second with the name of who did it; a viewer is offered no Ack, and each role
// sees only the tabs and controls the server would let it use.
import path from 'node:path';
import WebSocket from 'ws';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireTool, serveWithBrowser, tempDir } from '../helpers';

describe.runIf(requireTool('chromium'))('a hub with several dispatchers', () => {
  let app: Awaited<ReturnType<typeof serveWithBrowser>>;
  let browser: Browser;
  let url: string;
  let osmandPort: number;

  /** A script's own signed-in connection to the hub (the admin's tools, not a screen). */
  async function admin(name: string, password: string) {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api`, { origin: url });
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    let id = 0;
    const call = (method: string, params: unknown) =>
      new Promise<unknown>((resolve, reject) => {
        const n = ++id;
        const on = (d: WebSocket.RawData) => {
          const f = JSON.parse(String(d));
          if (f.type !== 'result' || f.id !== n) return;
          ws.off('message', on);
          if (f.ok) resolve(f.result);
          else reject(new Error(f.error.message));
        };
        ws.on('message', on);
        ws.send(JSON.stringify({ type: 'call', id: n, method, params }));
      });
    await call('signIn', { name, password, workstation: 'script' });
    return { call, close: () => ws.close() };
  }

  async function signIn(name: string, password: string, workstation: string, keepHandover = false): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    await page.goto(url);
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Password').fill(password);
    await form.getByLabel('Workstation').fill(workstation);
    await form.getByRole('button', { name: /Sign in/ }).click();
    await expect.poll(() => page.getByTestId('signed-in').textContent(), { timeout: 10_000 }).toMatch(new RegExp(`^${name} \\(`));
    // each sign-in opens "since your last shift"; the tests below read it where they need it
    if (!keepHandover) await page.getByRole('button', { name: 'Close the handover' }).click();
    return page;
  }

  beforeAll(async () => {
    osmandPort = await freePort();
    app = await serveWithBrowser(['--port', '0', '--embedded-broker-port', '0', '--osmand-port', String(osmandPort), '--allow-anonymous', '--require-sign-in', '--db', path.join(tempDir(), 'hub.sqlite')]);
    ({ url, browser } = app);
  });

  afterAll(() => app?.close());

  it('the first screen creates the admin; nothing of the fleet shows before a sign-in', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(url);
    const form = page.getByRole('form', { name: 'Sign in' });
    expect(await form.getByRole('heading').textContent()).toBe('FleetDesk: create the admin');
    expect(await page.locator('.vehicle-list, .map').count()).toBe(0);
    await form.getByLabel('Name').fill('ana');
    await form.getByLabel('Password').fill('correct horse');
    await form.getByRole('button', { name: 'Create admin and sign in' }).click();
    await expect.poll(() => page.getByTestId('signed-in').textContent(), { timeout: 10_000 }).toBe('ana (admin) Handover Sign out');
    await page.context().close();
  });

  it('one dispatcher acknowledges; the other sees it within a second with her name; the wallboard is offered no Ack', async () => {
    const script = await admin('ana', 'correct horse');
    await script.call('addUser', { name: 'ben', role: 'dispatcher', password: 'dispatch pass' });
    await script.call('addUser', { name: 'wall', role: 'viewer', password: 'wallboard pass' });
    await script.call('saveGeofence', { name: 'Yard Z', category: 'restricted', geometry: { type: 'Circle', center: [-1.4, 52.0], radiusM: 100 } });
    const a = await signIn('ana', 'correct horse', 'Desk A');
    const b = await signIn('ben', 'dispatch pass', 'Desk B');
    const wall = await signIn('wall', 'wallboard pass', 'Wall');
    const t = Math.floor(Date.now() / 1000) - 60;
    for (const [i, lat] of [52.0018, 52.0].entries()) expect((await fetch(`http://127.0.0.1:${osmandPort}/?id=HUB-1&lat=${lat}&lon=-1.4&speed=20&timestamp=${t + i * 10}`)).status).toBe(200);
    const row = (p: Page) => p.locator('li.alert[data-alert-type="geofence_enter"]');
    for (const p of [a, b, wall]) await expect.poll(() => row(p).count(), { timeout: 10_000 }).toBe(1);
    const id = Number(await row(a).getAttribute('data-alert-id'));
    expect(await wall.getByRole('button', { name: `Acknowledge alert ${id}` }).count()).toBe(0);
    expect(await wall.getByLabel(`Select alert ${id}`).count()).toBe(0);
    // each role sees the tabs and controls whose methods the server would let it call, no more
    const tabs = (p: Page) => p.getByRole('tab').evaluateAll((els) => els.map((e) => e.textContent!.replace(/ \(\d+\)$/, '')));
    expect(await tabs(wall)).toEqual(['Alerts', 'Fences', 'Rules', 'Ingest', 'Maintenance', 'Settings', 'Jobs']);
    expect(await tabs(b)).toEqual(['Alerts', 'Fences', 'Rules', 'Ingest', 'Drivers', 'Maintenance', 'History', 'Settings', 'Jobs']);
    expect(await tabs(a)).toEqual(['Alerts', 'Fences', 'Rules', 'Ingest', 'Devices', 'Drivers', 'Maintenance', 'Costs', 'History', 'Settings', 'Jobs']);
    await wall.getByRole('tab', { name: 'Fences' }).click();
    await wall.locator('.fence-list li[data-fence-id]').first().click();
    const props = wall.getByRole('form', { name: 'Geofence properties' });
    await expect.poll(() => props.getByLabel('Name').inputValue()).toBe('Yard Z');
    expect(await props.getByLabel('Name').isDisabled()).toBe(true);
    expect(await wall.getByRole('button', { name: /^(Draw polygon|Import…|Save|Delete)$/ }).count()).toBe(0);
    await wall.getByRole('tab', { name: 'Rules' }).click();
    expect(await wall.getByRole('button', { name: 'Save rules' }).count()).toBe(0);
    expect(await wall.getByLabel('Harsh braking above (m/s²)').isDisabled()).toBe(true);
    await b.getByRole('tab', { name: 'Fences' }).click();
    expect(await b.getByRole('button', { name: 'Draw polygon' }).count()).toBe(1);
    await b.getByRole('tab', { name: 'Rules' }).click();
    expect(await b.getByRole('button', { name: 'Save rules' }).count()).toBe(0);
    for (const p of [wall, b]) await p.getByRole('tab', { name: /^Alerts/ }).click();
    // A takes it: B sees who handles it; B acting on it is asked first, and declining changes nothing
    await a.getByRole('button', { name: `Take alert ${id}` }).click();
    await expect.poll(() => row(b).getByTestId('claim').textContent(), { timeout: 1000 }).toBe('handling: ana');
    expect(await b.getByRole('button', { name: `Take alert ${id}` }).count()).toBe(0);
    const asked: string[] = [];
    b.once('dialog', (d) => (asked.push(d.message()), void d.dismiss()));
    await b.getByRole('button', { name: `Acknowledge alert ${id}` }).click();
    await expect.poll(() => asked).toEqual([`ana is handling alert ${id}. Act on it anyway?`]);
    expect(await b.getByRole('button', { name: `Acknowledge alert ${id}` }).count()).toBe(1);
    // everyone sees who is on: four sessions (three screens and this script)
    await expect.poll(() => a.getByTestId('presence').textContent(), { timeout: 2000 }).toBe('4 signed in');
    // B watches handled lines too, to see who handled it
    await b.getByRole('checkbox', { name: 'acknowledged' }).check();
    await a.getByRole('button', { name: `Acknowledge alert ${id}` }).click();
    await expect.poll(() => row(b).locator('.alert-meta').textContent(), { timeout: 1000 }).toMatch(/ack ana /);
    // notes on the vehicle and on the alert reach the other desks live; the wallboard reads them, writes none
    for (const p of [a, b, wall]) await p.locator('li[data-vehicle-id="HUB-1"]').click();
    const vehicleNotes = (p: Page) => p.getByRole('group', { name: 'Notes on HUB-1' });
    await vehicleNotes(b).getByLabel('Note', { exact: true }).fill('Driver called: gate code changed');
    await vehicleNotes(b).getByRole('button', { name: 'Add' }).click();
    for (const p of [a, wall]) await expect.poll(() => vehicleNotes(p).textContent(), { timeout: 1000 }).toContain('ben — Driver called: gate code changed');
    expect(await vehicleNotes(wall).getByRole('form').count()).toBe(0);
    await a.getByRole('checkbox', { name: 'acknowledged' }).check();
    await a.getByRole('button', { name: `Notes on alert ${id}` }).click();
    await b.getByRole('button', { name: `Notes on alert ${id}` }).click();
    const alertNotes = (p: Page) => p.getByRole('group', { name: `Notes on alert ${id}` });
    await expect.poll(() => alertNotes(b).textContent()).toContain('No notes yet.');
    await alertNotes(a).getByLabel('Note', { exact: true }).fill('Called the yard: a delivery, let it in');
    await alertNotes(a).getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => alertNotes(b).textContent(), { timeout: 1000 }).toContain('ana — Called the yard: a delivery, let it in');
    expect(await alertNotes(a).locator('li').count()).toBe(1);
    // who is signed in where
    const sessions = (await script.call('listSessions', {})) as { userName: string; workstation: string }[];
    expect(sessions.map((s) => `${s.userName}@${s.workstation}`)).toEqual(expect.arrayContaining(['ana@Desk A', 'ben@Desk B', 'wall@Wall']));
    // a sign-out returns the screen to the sign-in form, and its session is gone
    await b.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => b.getByRole('form', { name: 'Sign in' }).count()).toBe(1);
    await a.screenshot({ path: 'test-results/e2e-hub.png' });
    script.close();
  });

  it('the admin manages users in Settings: adds one, changes a role, sees who is signed in where', async () => {
    const a = await signIn('ana', 'correct horse', 'Desk A');
    await a.getByRole('tab', { name: 'Settings' }).click();
    const table = a.getByRole('table', { name: 'Users of this hub' });
    await expect.poll(() => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')))).toEqual(['ana', 'ben', 'wall']);
    const form = a.getByRole('form', { name: 'New user' });
    await form.getByLabel('Name').fill('cara');
    await form.getByLabel('Role').selectOption('supervisor');
    await form.getByLabel('Password').fill('supervise pass');
    await form.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(4);
    await a.getByLabel('Role of wall').selectOption('dispatcher');
    await expect.poll(() => a.getByLabel('Role of wall').inputValue()).toBe('dispatcher');
    const cara = await signIn('cara', 'supervise pass', 'Desk C');
    expect(await cara.getByTestId('signed-in').textContent()).toBe('cara (supervisor) Handover Sign out');
    // a supervisor sees the sessions, not the user table
    await cara.getByRole('tab', { name: 'Settings' }).click();
    await expect.poll(() => cara.getByRole('list', { name: 'Sessions' }).textContent()).toContain('ana (admin) at Desk A');
    expect(await cara.getByRole('table', { name: 'Users of this hub' }).count()).toBe(0);
  });

  it('a dispatcher starting a shift reads what happened since the last one, notes included, and leaves a note for the next', async () => {
    const ana = await signIn('ana', 'correct horse', 'Desk A', true);
    const dialog = ana.getByRole('dialog', { name: 'Since your last shift' });
    await dialog.getByLabel('Note text').fill('Gate Z lock broken: send VAN-9 round the back');
    await dialog.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => dialog.getByTestId('handover-notes').textContent()).toContain('ana — Gate Z lock broken');
    // ben's last shift ended in the test before: the note is since then
    const ben = await signIn('ben', 'dispatch pass', 'Desk B', true);
    const his = ben.getByRole('dialog', { name: 'Since your last shift' });
    await expect.poll(() => his.getByRole('heading', { level: 2 }).textContent()).toMatch(/^Since your last shift \(ended /);
    await expect.poll(() => his.getByTestId('handover-notes').textContent()).toContain('Gate Z lock broken');
    await his.getByRole('button', { name: 'Close the handover' }).click();
    expect(await ben.getByRole('dialog', { name: 'Since your last shift' }).count()).toBe(0);
    await ben.getByRole('button', { name: 'Handover' }).click();
    expect(await ben.getByRole('dialog', { name: 'Since your last shift' }).count()).toBe(1);
    await ben.getByRole('button', { name: 'Close the handover' }).click();
    // ben changes his password in Settings; the old one no longer signs him in
    await ben.getByRole('tab', { name: 'Settings' }).click();
    const mine = ben.getByRole('form', { name: 'Change my password' });
    await mine.getByLabel('Current').fill('wrong one');
    await mine.getByLabel('New').fill('dispatch pass 2');
    await mine.getByLabel('Repeat').fill('dispatch pass 2');
    await mine.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => ben.getByRole('region', { name: 'My password' }).getByRole('alert').textContent()).toBe('The current password is wrong.');
    await mine.getByLabel('Current').fill('dispatch pass');
    await mine.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => ben.getByRole('region', { name: 'My password' }).getByRole('status').textContent()).toContain('Password changed');
    await ben.getByRole('button', { name: 'Sign out' }).click();
    const form = ben.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Name').fill('ben');
    await form.getByLabel('Password').fill('dispatch pass');
    await form.getByRole('button', { name: /Sign in/ }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toBe('Wrong name or password.');
    await form.getByLabel('Password').fill('dispatch pass 2');
    await form.getByRole('button', { name: /Sign in/ }).click();
    await expect.poll(() => ben.getByTestId('signed-in').textContent(), { timeout: 10_000 }).toMatch(/^ben \(dispatcher\)/);
  });
});
