// The desktop app's start screen, the real page in real Chromium, its bridge wired to the real launcher (as
// the start window's preload wires it in Electron) and a real hub on 127.0.0.2: first connection shows the
// fingerprint to compare and connects only after "Trust"; the next start connects at once; a hub whose
// certificate changed is refused in red; a wrong address says what to type; "This computer" starts locally.
import { X509Certificate } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Launcher } from '../../src/main/app/launcher';
import { KnownHubs } from '../../src/main/core/security/known-hubs';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireTool, startServe, tempDir } from '../helpers';

const RENDERER_DIR = path.resolve('out/renderer');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.woff2': 'font/woff2' };

describe.runIf(requireTool('chromium'))('the desktop start screen', () => {
  const kills: (() => void)[] = [];
  let browser: Browser;
  let pageServer: http.Server;
  let pageUrl: string;
  const dir = tempDir();
  const files = () => ({ prefsFile: path.join(dir, 'desk', 'start.json'), knownHubs: new KnownHubs(path.join(dir, 'desk', 'known-hubs.json')) });

  beforeAll(async () => {
    // the built start page, as the desktop app loads it from its files
    pageServer = http.createServer((req, res) => {
      const file = path.join(RENDERER_DIR, path.normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, ''));
      if (!file.startsWith(RENDERER_DIR) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => pageServer.listen(0, '127.0.0.1', r));
    pageUrl = `http://127.0.0.1:${(pageServer.address() as { port: number }).port}/start.html`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    kills.forEach((k) => k());
    await browser?.close();
    pageServer?.close();
  });

  /** One start of the desktop app: its start window, bridged to a launcher reading this workstation's files. */
  async function startWindow(): Promise<{ page: Page; launcher: Launcher }> {
    const launcher = new Launcher({ ...files(), timeoutMs: 5000 });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    await page.exposeFunction('__startState', () => launcher.state());
    await page.exposeFunction('__startCheck', (a: string) => launcher.check(a));
    await page.exposeFunction('__startOpen', (c: Parameters<Launcher['open']>[0], r: boolean) => launcher.open(c, r));
    await page.addInitScript(() => {
      const w = window as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      (window as unknown as { fleetdeskStart: unknown }).fleetdeskStart = { state: () => w['__startState']!(), check: (a: unknown) => w['__startCheck']!(a), open: (c: unknown, r: unknown) => w['__startOpen']!(c, r) };
    });
    await page.goto(pageUrl);
    await page.getByRole('heading', { name: 'FleetDesk', exact: true }).waitFor();
    return { page, launcher };
  }

  it('connects to a hub after the person compares its fingerprint, at once the next time, never to a changed one', async () => {
    const db = path.join(dir, 'hub.sqlite');
    const hub = await startServe(['--host', '127.0.0.2', '--port', '0', '--embedded-broker-port', '0', '--osmand-port', 'off', '--db', db], 'pipe');
    kills.push(() => hub.proc.kill('SIGTERM'));
    const fingerprint = new X509Certificate(readFileSync(`${db}.https/cert.pem`)).fingerprint256;
    const address = hub.url.replace('https://', '');

    const first = await startWindow();
    let page = first.page;
    // a first start offers this computer first: Enter would start it
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Start on this computer');
    await page.getByLabel('Hub address', { exact: true }).fill('http://127.0.0.2');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('HTTPS only');
    await page.getByLabel('Hub address', { exact: true }).fill(address);
    await page.getByLabel('Hub address', { exact: true }).press('Enter');
    const prompt = page.getByRole('alertdialog', { name: 'Trust this hub?' });
    await expect.poll(() => prompt.getByTestId('fingerprint').textContent(), { timeout: 10_000 }).toBe(fingerprint);
    expect(first.launcher.target).toBeNull();
    await page.screenshot({ path: 'test-results/e2e-start-screen.png' });
    // this workstation is shared: ask at every start
    await page.getByRole('checkbox', { name: /Start this way next time/ }).uncheck();
    await prompt.getByRole('button', { name: 'Trust and connect' }).click();
    await expect.poll(() => first.launcher.target).toEqual({ mode: 'hub', url: `${hub.url}/`, fingerprint });
    expect(new Launcher(files()).remembered()).toBeNull();
    expect(await page.getByRole('status').textContent()).toBe('Starting…');
    // where the shell then goes: the hub's own sign-in, over that certificate
    const hubPage = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
    await hubPage.goto(first.launcher.target!.mode === 'hub' ? first.launcher.target!.url : '');
    await expect.poll(() => hubPage.getByRole('form', { name: 'Sign in' }).count(), { timeout: 10_000 }).toBe(1);
    await hubPage.context().close();
    await page.context().close();

    // the next start (the person chose to be asked): the hub is offered, and known, so Connect goes straight there
    const next = await startWindow();
    page = next.page;
    await expect.poll(() => page.getByLabel('Hub address', { exact: true }).inputValue()).toBe(address);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.getAttribute('aria-label'))).toBe('Hub address');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => next.launcher.target).toEqual({ mode: 'hub', url: `${hub.url}/`, fingerprint });
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    await page.context().close();

    // someone else's certificate at that address: a warning in plain words, and no way to connect from here
    hub.proc.kill('SIGTERM');
    await new Promise((r) => hub.proc.once('exit', r));
    const impostor = await startServe(['--host', '127.0.0.2', '--port', new URL(hub.url).port, '--embedded-broker-port', '0', '--osmand-port', 'off', '--db', path.join(dir, 'other.sqlite')], 'pipe');
    kills.push(() => impostor.proc.kill('SIGTERM'));
    const third = await startWindow();
    page = third.page;
    await page.getByRole('button', { name: 'Connect' }).click();
    const warning = page.locator('p.error.danger[role="alert"]');
    await expect.poll(() => warning.textContent(), { timeout: 10_000 }).toContain('has CHANGED');
    expect(await warning.textContent()).toContain(`Expected ${fingerprint}`);
    expect(await page.getByRole('button', { name: /Trust/ }).count()).toBe(0);
    expect(third.launcher.target).toBeNull();

    // this computer is always there; the choice is kept for the next start when asked to
    await page.getByRole('button', { name: 'Start on this computer' }).click();
    await expect.poll(() => third.launcher.target).toEqual({ mode: 'local' });
    expect(new Launcher(files()).remembered()).toEqual({ mode: 'local' });
    await page.context().close();
  });
});
