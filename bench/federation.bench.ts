// Federation benchmark: a depot forwarding to headquarters through Debian's mosquitto, on loopback.
//  1. Catch-up: one hour of a 500-vehicle depot at 1 Hz (1.8 M committed rows) waiting when the link comes
//     back; headquarters (`fleetdesk serve --headquarters`, its own process) stores them. Timed to the last
//     row at headquarters, at the default cap (20,000 rows/s) and uncapped; bytes per position on the wire.
//  2. The depot's own ingest while it forwards: a QoS 1 flood (raw-socket publisher, its own process) into
//     the depot's embedded broker, with forwarding off and on (from the same database: 300,000 rows
//     stored, waiting to go when forwarding is on), alternated in the same minutes; median msg/s of each.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { FleetService } from '../src/main/app/service';
import { Store } from '../src/main/core/storage/store';
import type { IncomingPoint } from '../src/main/domains/ingest/repo';
import { Forwarder } from '../src/main/domains/federation/forwarder';
import { rawFlood } from './flood';
import { builtWorkerPath, fmt, report, type Row } from './report';

if (process.argv[2] === '--publisher') {
  await rawFlood(process.argv[3]!, Number(process.argv[4]));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const tmp = path.resolve('.bench-tmp/federation');
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const workerPath = builtWorkerPath();
const CLI = path.resolve('out/main/cli.js');
const DEPOT_VEHICLES = 500;
const HOUR_S = Number(process.env['HOUR_S'] ?? 3600);
const FLOOD = Number(process.env['FLOOD'] ?? 200_000);
const PAIRS = Number(process.env['PAIRS'] ?? 3);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) { this.destroy(); r(true); }).once('error', () => r(false)));
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on ${port}`);
}

async function mosquitto(): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const conf = path.join(tmp, `mosquitto-${port}.conf`);
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 0\nmax_queued_messages 1000000\nmessage_size_limit 0\n`);
  const proc = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  await waitPort(port);
  return { url: `mqtt://127.0.0.1:${port}`, proc };
}

/** One hour of a 500-vehicle depot at 1 Hz, committed, with forwarding on from before the first row. */
function fillDepot(dbFile: string, seconds: number): number {
  const store = new Store(dbFile);
  store.federation.startForwarding();
  const t0 = Date.now() - seconds * 1000;
  let n = 0;
  for (let s = 0; s < seconds; s += 10) {
    const batch: IncomingPoint[] = [];
    for (let k = s; k < Math.min(seconds, s + 10); k++)
      for (let v = 0; v < DEPOT_VEHICLES; v++)
        batch.push({
          point: { vehicleId: `D${v}`, tsMs: t0 + k * 1000, lat: 52.4 + (v % 25) * 0.004 + k * 0.00002, lon: -1.95 + Math.floor(v / 25) * 0.004, speedKmh: 31.4, headingDeg: 87, fuelLevelPct: 61.5, engineRpm: 1850, odometerKm: 20_000 + v + k * 0.0087, dtcCodes: [], hdop: 0.9, satellites: 9, coolantTempC: 88, ignition: true, driverId: `DRV-${v}` },
          flags: k % 50 === 0 ? ['high_hdop'] : [],
          source: 'mqtt',
        });
    n += store.telemetry.writeBatch(batch, [], t0 + s * 1000).inserted.length;
  }
  store.close();
  return n;
}

function countRows(dbFile: string): number {
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT max(id) AS n FROM telemetry').get() as { n: number | null }).n ?? 0;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/** Headquarters as it runs in production: `fleetdesk serve --headquarters`, hearing depots on `brokerUrl`. */
async function headquarters(brokerUrl: string, dbFile: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--embedded-broker-port', '0', '--osmand-port', 'off', '--db', dbFile, '--headquarters', '--depots-broker', brokerUrl], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => ((out += d), /running at/.test(out) && resolve()));
    proc.once('exit', (c) => reject(new Error(`headquarters exited ${c}`)));
  });
  return proc;
}

async function catchUp(label: string, maxRowsPerSec: number): Promise<Row> {
  const mq = await mosquitto();
  const depotDb = path.join(tmp, `depot-${maxRowsPerSec}.sqlite`);
  const hqDb = path.join(tmp, `hq-${maxRowsPerSec}.sqlite`);
  const rows = fillDepot(depotDb, HOUR_S);
  const hq = await headquarters(mq.url, hqDb);
  const store = new Store(depotDb);
  const fwd = new Forwarder({ store, depotId: 'bench', upstream: { url: mq.url }, maxRowsPerSec, log: () => undefined });
  const t0 = performance.now();
  fwd.start();
  let forwardedMs = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    if (!forwardedMs && store.federation.cursor('telemetry') >= rows) forwardedMs = performance.now() - t0;
    if (countRows(hqDb) >= rows) break;
  }
  const storedMs = performance.now() - t0;
  const s = fwd.status();
  await fwd.stop();
  store.close();
  hq.kill('SIGTERM');
  mq.proc.kill('SIGTERM');
  return {
    scenario: label,
    rows: fmt(rows),
    'forwarded (s)': (forwardedMs / 1000).toFixed(1),
    'all stored at HQ (s)': (storedMs / 1000).toFixed(1),
    'rows/s': fmt(rows / (storedMs / 1000)),
    'bytes/position': (s.bytesSent / rows).toFixed(1),
  };
}

function runPublisher(url: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = fork(self, ['--publisher', url, String(count)], { stdio: 'inherit' });
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited ${code}`))));
  });
}

/** msg/s the depot commits a QoS 1 flood at, forwarding off or on (with a backlog keeping it busy). */
async function ingestRun(forwarding: boolean, upstreamUrl: string, run: number): Promise<number> {
  const dbFile = path.join(tmp, `ingest-${forwarding ? 'on' : 'off'}-${run}.sqlite`);
  // both runs start from the same database (300,000 rows stored; waiting to go when forwarding is on)
  fillDepot(dbFile, 600);
  let first = 0;
  let last = 0;
  let committed = 0;
  const service = new FleetService({
    dbFile,
    workerPath,
    embeddedBroker: { port: 0, allowAnonymous: true },
    federation: forwarding ? { depot: { depotId: 'bench', upstream: { url: upstreamUrl } } } : undefined,
    observeCommits: (points, at) => {
      if (!first) first = at;
      last = at;
      committed += points.length;
    },
  });
  await service.start();
  while ((await service.handlers.getStatus({})).broker.state !== 'connected') await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1000)); // the forwarder at work
  await runPublisher(service.brokerUrl, FLOOD);
  while (committed < FLOOD) await new Promise((r) => setTimeout(r, 20));
  const fed = forwarding ? await service.handlers.getFederation({}) : null;
  await service.stop();
  if (fed && fed.forwardedRows === 0) throw new Error('the forwarder sent nothing during the flood');
  return FLOOD / ((last - first) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// ONLY=catchup or ONLY=ingest runs one part
const only = process.env['ONLY'];
const rowsOut: Row[] = [];
if (only !== 'ingest') {
  rowsOut.push(await catchUp('catch-up, 1 h backlog, default cap 20,000 rows/s', 20_000));
  rowsOut.push(await catchUp('catch-up, 1 h backlog, uncapped', 1e9));
}
if (only === 'catchup') {
  report('Federation: depot → mosquitto → headquarters (loopback)', [`catch-up: ${DEPOT_VEHICLES} vehicles × ${HOUR_S} s at 1 Hz; headquarters = fleetdesk serve --headquarters (own process)`], rowsOut);
  process.exit(0);
}
const up = await mosquitto();
const off: number[] = [];
const on: number[] = [];
for (let i = 0; i < PAIRS; i++) {
  off.push(await ingestRun(false, up.url, i));
  on.push(await ingestRun(true, up.url, i));
}
up.proc.kill('SIGTERM');
const ingestRows: Row[] = [
  { scenario: 'depot ingest, forwarding off', 'msg/s (median)': fmt(median(off)), runs: off.map(fmt).join(', ') },
  { scenario: 'depot ingest, forwarding a backlog at the cap', 'msg/s (median)': fmt(median(on)), runs: on.map(fmt).join(', ') },
  { scenario: 'change', 'msg/s (median)': `${(((median(on) - median(off)) / median(off)) * 100).toFixed(1)} %`, runs: 'target: no worse than −10 %' },
];
if (rowsOut.length) report(
  'Federation: depot → mosquitto → headquarters (loopback)',
  [
    `catch-up: ${DEPOT_VEHICLES} vehicles × ${HOUR_S} s at 1 Hz committed at the depot; forwarder in this process, headquarters = fleetdesk serve --headquarters (own process); timed to the last row stored at headquarters`,
    'wire: gzip JSON batches of up to 2,000 rows, QoS 1, one batch in flight, the cursor moved on each PUBACK',
    `ingest: ${fmt(FLOOD)}-message QoS 1 flood into the embedded aedes (raw-socket publisher, own process), forwarding off and on alternated ${PAIRS}×`,
  ],
  rowsOut,
);
report('Federation: the depot ingest while it forwards', [`paired: off and on alternated ${PAIRS}× in the same minutes`], ingestRows);
process.exit(0);
