// Shared test helpers: free ports, temp dirs, real mosquitto and Chromium, and polling.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import WebSocket from 'ws';

export const WORKER_PATH = path.resolve('test/.tmp/engine.worker.mjs');
export const CLI_PATH = path.resolve('out/main/cli.js');
export const CHROMIUM_PATH = '/usr/lib/chromium/chromium';
export const ON_CI = process.env['CI'] === 'true';

/** A fresh temporary directory inside the test run's directory, which global teardown removes. */
export function tempDir(prefix = 'fleetdesk-test-'): string {
  const parent = process.env['FLEETDESK_TEST_TMP'] ?? os.tmpdir();
  const dir = mkdtempSync(path.join(parent, prefix));
  // mosquitto drops root for its own user and must be able to reach its files in here
  chmodSync(dir, 0o755);
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `fn` until it returns a truthy value or the time is up. */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/**
 * Whether a system tool is installed. Locally a missing tool skips its tests with an install hint;
 * under CI=true a missing tool fails the run, so CI can never pass by skipping.
 */
export function requireTool(name: 'mosquitto' | 'chromium' | 'mosquitto_pub'): boolean {
  const present = name === 'chromium' ? existsSync(CHROMIUM_PATH) : which(name);
  if (present) return true;
  const hint = name === 'chromium' ? 'apt-get install -y chromium' : 'apt-get install -y mosquitto mosquitto-clients';
  if (ON_CI) throw new Error(`${name} is not installed, and CI=true forbids skipping: ${hint}`);
  console.warn(`SKIPPING tests that need ${name}: install it with "${hint}"`);
  return false;
}

export interface Mosquitto {
  port: number;
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export function waitForPort(port: number, what: string, isDead: () => string | null = () => null): Promise<boolean> {
  return waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const dead = isDead();
        if (dead) throw new Error(dead);
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    what,
  );
}

/** Runs Debian's mosquitto with `config` (the listener line is added) and waits until it accepts. */
export async function runMosquitto(port: number, config: string, dir: string): Promise<Mosquitto> {
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\n${config}`);
  const proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  await waitForPort(port, `mosquitto on port ${port}`, () => (proc.exitCode !== null ? `mosquitto exited: ${stderr}` : null));
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** Starts Debian's mosquitto on a free loopback port, anonymous, with limits raised for floods. */
export async function startMosquitto(port?: number, options: { persistenceDir?: string } = {}): Promise<Mosquitto> {
  const persistence = options.persistenceDir
    ? `persistence true\npersistence_location ${options.persistenceDir}/\nautosave_interval 1\n`
    : 'persistence false\n';
  return runMosquitto(port ?? (await freePort()), `allow_anonymous true\n${persistence}max_inflight_messages 0\nmax_queued_messages 1000000\n`, tempDir('fleetdesk-mosquitto-'));
}

/** Runs `fleetdesk serve ARGS` from the build and resolves with its URL once it is up. */
export async function startServe(args: string[], stderr: 'inherit' | 'pipe' = 'inherit'): Promise<{ url: string; proc: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, [CLI_PATH, 'serve', ...args], { stdio: ['ignore', 'pipe', stderr] });
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr?.on('data', (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', () => {
      const m = /running at (\S+)/.exec(output);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  return { url, proc, output: () => output };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One API call over `serve`'s WebSocket, as the page makes it (same origin); rejects with the error. */
export function wsCall<T = unknown>(url: string, method: string, params: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http://', 'ws://')}/api`, { origin: url });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, method, params })));
    ws.on('message', (d) => {
      const f = JSON.parse(String(d));
      if (f.type !== 'result') return;
      ws.close();
      if (f.ok) resolve(f.result as T);
      else reject(new Error(f.error.message));
    });
    ws.on('error', reject);
  });
}

/** A valid telemetry payload, overridable field by field. */
export function telemetry(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    vehicle_id: 'T-001',
    timestamp: '2026-11-23T08:00:00Z',
    lat: 52.48,
    lon: -1.89,
    speed_kmh: 42.5,
    heading: 90,
    fuel_level: 55,
    engine_rpm: 2100,
    odometer_km: 12345.6,
    dtc_codes: [],
    ...over,
  };
}

/** `fleetdesk serve` with these arguments and Debian's Chromium, for tests that open several pages or contexts. */
export async function serveWithBrowser(args: string[]): Promise<{ url: string; browser: Browser; close: () => Promise<void> }> {
  const served = await startServe(args);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return {
    url: served.url,
    browser,
    close: async () => {
      await browser.close();
      served.proc.kill('SIGTERM');
    },
  };
}

/**
 * `fleetdesk serve` with the given arguments (a fresh database in a temporary folder unless `--db` is
 * among them) and Debian's Chromium on its page. `close()` ends both.
 */
export async function openApp(
  serveArgs: string[],
  context: BrowserContextOptions = {},
  beforeGoto?: (page: Page) => void,
): Promise<{ page: Page; url: string; close: () => Promise<void> }> {
  const args = ['--port', '0', '--embedded-broker-port', '0', '--osmand-port', 'off', ...serveArgs];
  if (!args.includes('--db')) args.push('--db', path.join(tempDir(), 'app.sqlite'));
  const served = await startServe(args);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, ...context })).newPage();
  beforeGoto?.(page);
  await page.goto(served.url);
  // the console is there once the service has said who this screen is (until then: "Connecting…");
  // keys pressed before that reach no panel
  await page.locator('.app').waitFor({ timeout: 15_000 });
  return {
    page,
    url: served.url,
    close: async () => {
      await browser.close();
      served.proc.kill('SIGTERM');
    },
  };
}
