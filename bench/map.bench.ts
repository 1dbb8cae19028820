// Map updates in the real UI: Debian's Chromium opens `fleetdesk serve`, and the service's position
// pushes (every 250 ms, as FleetService sends them) carry N vehicles that all moved. Measured in the page:
// frame intervals (requestAnimationFrame) and long tasks (≥ 50 ms on the renderer's main thread), so a
// dispatcher's map and vehicle list stay smooth — or do not — with a large fleet.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { mkdirSync, rmSync } from 'node:fs';
import { chromium, type WebSocketRoute } from 'playwright-core';
import { fmt, report, type Row } from './report';

const SIZES = (process.env['VEHICLES'] ?? '1000,5000,10000').split(',').map(Number);
const SECONDS = 10;
const PUSH_MS = 250;

const dir = path.resolve('.bench-tmp/map');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const proc = spawn(process.execPath, ['out/main/cli.js', 'serve', '--port', '0', '--embedded-broker-port', '0', '--osmand-port', 'off', '--db', path.join(dir, 'm.sqlite')], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  proc.stdout!.on('data', (d) => {
    out += d;
    const m = /running at (\S+)/.exec(out);
    if (m) resolve(m[1]!);
  });
  proc.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
});

const browser = await chromium.launch({ executablePath: '/usr/lib/chromium/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
let toPage: ((frame: string) => void) | null = null;
await page.routeWebSocket(/\/api$/, (ws: WebSocketRoute) => {
  const server = ws.connectToServer();
  ws.onMessage((m) => server.send(m));
  server.onMessage((m) => ws.send(m));
  toPage = (frame) => ws.send(frame);
});
await page.goto(url);
await page.waitForSelector('.leaflet-container');

/** The positions event of `n` vehicles in a city-sized box, step `k` of their walk. */
function positionsFrame(n: number, k: number, event: string): string {
  const now = Date.now();
  const payload = [];
  for (let i = 0; i < n; i++) {
    const lat = 52.40 + (i % 100) * 0.002 + Math.sin(k / 10 + i) * 0.0005;
    const lon = -1.98 + Math.floor(i / 100) * 0.0015 + Math.cos(k / 10 + i) * 0.0005;
    const speedKmh = (i + k) % 7 === 0 ? 0 : 35;
    payload.push({ vehicleId: `M${String(i).padStart(5, '0')}`, status: speedKmh ? 'moving' : 'idle', lastSeenMs: now, last: { vehicleId: `M${String(i).padStart(5, '0')}`, tsMs: now, lat, lon, speedKmh, headingDeg: (k * 7 + i) % 360, fuelLevelPct: 50, engineRpm: 1500, odometerKm: 1000, dtcCodes: [], hdop: 1, satellites: 9, coolantTempC: 90, ignition: true, driverId: null } });
  }
  return JSON.stringify({ type: 'event', event, payload });
}

const rows: Row[] = [];
// each size twice: the real push, and the same frames under an event name the UI ignores — the cost of
// getting them into the page (this harness routes the WebSocket through Playwright) and parsing them
const runs = SIZES.flatMap((n) => [
  { n, event: 'positions', what: 'map + list updated' },
  { n, event: 'ignored-by-ui', what: 'transport + JSON only' },
]);
for (const { n, event, what } of runs) {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __long: number[] };
    w.__frames = [];
    w.__long = [];
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__long.push(e.duration))).observe({ type: 'longtask', buffered: false });
  });
  const frames = [];
  for (let k = 0; k < (SECONDS * 1000) / PUSH_MS; k++) frames.push(positionsFrame(n, k, event));
  const t0 = Date.now();
  for (let k = 0; k < frames.length; k++) {
    toPage!(frames[k]!);
    const wait = t0 + (k + 1) * PUSH_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const { f, long } = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __long: number[] };
    return { f: w.__frames.slice(5), long: w.__long };
  });
  const sorted = [...f].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  const busy = long.reduce((s, d) => s + d, 0);
  rows.push({
    vehicles: fmt(n),
    page: what,
    'updates/s': `${fmt(n * (1000 / PUSH_MS))} (${1000 / PUSH_MS} pushes)`,
    fps: (f.length / SECONDS).toFixed(0),
    'frame p50 ms': pct(50).toFixed(0),
    'frame p99 ms': pct(99).toFixed(0),
    'longest task ms': fmt(Math.max(0, ...long)),
    'time in long tasks': `${((busy / (SECONDS * 1000)) * 100).toFixed(0)} %`,
  });
  console.error(JSON.stringify(rows.at(-1)));
  if (event === 'positions') await page.screenshot({ path: path.join(dir, `map-${n}.png`) });
  await page.reload(); // the next size starts from a clean page
  await page.waitForSelector('.leaflet-container');
}
await browser.close();
proc.kill('SIGTERM');

report(
  'map: live position pushes in the real UI (npm run bench -- map)',
  [
    `Debian Chromium (headless, software rendering) on \`fleetdesk serve\`; the service's position push (every ${PUSH_MS} ms, every vehicle moved) injected into its WebSocket for ${SECONDS} s per size; vehicles spread over a city.`,
    'fps and frame times from requestAnimationFrame; long tasks = the renderer main thread busy ≥ 50 ms at a time (map canvas, vehicle list, store update, JSON).',
    '"transport + JSON only": the same frames under an event name the UI ignores. The frames reach the page through Playwright\'s WebSocket route (the harness), which costs the page more than a plain WebSocket would: the difference between the two rows is what FleetDesk\'s UI does with the positions.',
  ],
  rows,
);
process.exit(0);
