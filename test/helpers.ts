// Shared test helpers: free ports, temp dirs, real mosquitto and Chromium, and polling.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const WORKER_PATH = path.resolve('test/.tmp/engine.worker.mjs');
export const CLI_PATH = path.resolve('out/main/cli.js');
export const CHROMIUM_PATH = '/usr/lib/chromium/chromium';
export const ON_CI = process.env['CI'] === 'true';

export function tempDir(prefix = 'fleetdesk-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
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

/** Starts Debian's mosquitto on a free loopback port and waits until it accepts connections. */
export async function startMosquitto(port?: number, options: { persistenceDir?: string } = {}): Promise<Mosquitto> {
  const p = port ?? (await freePort());
  const dir = tempDir('fleetdesk-mosquitto-');
  const conf = path.join(dir, 'mosquitto.conf');
  const persistence = options.persistenceDir
    ? `persistence true\npersistence_location ${options.persistenceDir}/\nautosave_interval 1\n`
    : 'persistence false\n';
  writeFileSync(conf, `listener ${p} 127.0.0.1\nallow_anonymous true\n${persistence}max_inflight_messages 0\nmax_queued_messages 1000000\n`);
  const proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        if (proc.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}`);
        const s = net.connect(p, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    `mosquitto on port ${p}`,
  );
  return {
    port: p,
    url: `mqtt://127.0.0.1:${p}`,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
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
