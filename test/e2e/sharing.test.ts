// The desktop app's Settings → Share on the network, in real Chromium: this computer's console (the real
// service; the page reaches it over the local WebSocket, where the desktop window uses IPC — the renderer
// cannot tell) adds an admin, turns sharing on, reads the address and fingerprint; a second workstation's
// browser at that address is asked to sign in, then gets the console.
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWsServer } from '../../src/main/adapters/ws-server';
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, requireTool } from '../helpers';
import { onCleanup, startService } from '../service-helpers';

describe.runIf(requireTool('chromium'))('sharing the desktop app on the network', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(() => browser?.close());

  it('an admin is added, sharing goes on, and a workstation signs in at the address shown', async () => {
    const rendererDir = path.resolve('out/renderer');
    const { service } = await startService({ share: { rendererDir, host: '127.0.0.2' } });
    const local = await startWsServer({ rendererDir, handlers: service.handlers, events: service, port: 0 });
    onCleanup(() => local.close());
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    await page.goto(local.url);
    await page.locator('.app').waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: 'Settings' }).click();
    const share = page.getByRole('region', { name: 'Share on the network' });
    await expect.poll(() => share.textContent()).toContain('Add a user with the admin role first');
    expect(await share.getByRole('checkbox', { name: 'Share on the network' }).isDisabled()).toBe(true);

    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Name').fill('marta');
    await form.getByLabel('Role').selectOption('admin');
    await form.getByLabel('Password').fill('control room 1');
    await form.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => share.getByRole('checkbox', { name: 'Share on the network' }).isDisabled()).toBe(false);
    const port = await freePort();
    await share.getByLabel('Sharing port').fill(String(port));
    await share.getByRole('checkbox', { name: 'Share on the network' }).check();
    const addresses = share.getByTestId('sharing-addresses');
    await expect.poll(() => addresses.locator('li').allTextContents(), { timeout: 10_000 }).toEqual([`https://127.0.0.2:${port}`]);
    const fingerprint = (await service.handlers.getSharing({})).fingerprint!;
    expect(await addresses.locator('code.fingerprint').textContent()).toBe(fingerprint);
    await page.screenshot({ path: 'test-results/e2e-sharing.png' });

    // another workstation, at the address shown: the sign-in form, then the console as marta
    const ws2 = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 720 } })).newPage();
    await ws2.goto(`https://127.0.0.2:${port}`);
    const signIn = ws2.getByRole('form', { name: 'Sign in' });
    await expect.poll(() => signIn.getByRole('heading').textContent(), { timeout: 10_000 }).toBe('Sign in to FleetDesk');
    await signIn.getByLabel('Name').fill('marta');
    await signIn.getByLabel('Password').fill('control room 1');
    await signIn.getByRole('button', { name: /Sign in/ }).click();
    await expect.poll(() => ws2.getByTestId('signed-in').textContent(), { timeout: 10_000 }).toMatch(/^marta \(admin\)/);
    // the workstation's Settings do not offer to share the hub again (it is not this computer)
    await ws2.getByRole('button', { name: 'Close the handover' }).click();
    await ws2.getByRole('tab', { name: 'Settings' }).click();
    await ws2.getByRole('table', { name: 'Users of this hub' }).waitFor();
    expect(await ws2.getByRole('region', { name: 'Share on the network' }).count()).toBe(0);

    // off: the workstation loses the hub
    await share.getByRole('checkbox', { name: 'Share on the network' }).uncheck();
    await expect.poll(() => share.getByTestId('sharing-addresses').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => ws2.locator('.statusbar').textContent(), { timeout: 10_000 }).toMatch(/disconnected|reconnecting|Connecting/i);
  });
});
