// A control-room hub under load: `fleetdesk serve --require-sign-in` (a real process) with 10,000 vehicles
// reporting every second through its embedded broker, and N signed-in workstations (headless WebSocket
// clients) taking every position push. Measured: push latency (the fix time the publisher stamped at
// send → the moment a workstation has the parsed push), the hub's CPU (all its threads, from /proc) per
// second and per workstation, and the bytes of one push — serialised once for all workstations.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { fmt, report, type Row } from './report';

const VEHICLES = Number(process.env['VEHICLES'] ?? 10_000);
const CLIENTS = (process.env['CLIENTS'] ?? '1,20').split(',').map(Number);
const SECONDS = Number(process.env['SECONDS'] ?? 15);
const dir = path.resolve('.bench-tmp/hub');

/** utime + stime of a process (all threads), in ms. */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks (100 Hz)
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : Number.NaN;
};

async function run(clients: number): Promise<Row> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const proc = spawn(process.execPath, ['out/main/cli.js', 'serve', '--port', '0', '--embedded-broker-port', '0', '--osmand-port', 'off', '--allow-anonymous', '--require-sign-in', '--db', path.join(dir, 'hub.sqlite')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', () => {
      const m = /running at (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  const brokerUrl = /broker (mqtt:\/\/\S+)/.exec(out)?.[1] ?? (await new Promise<string>((r) => setTimeout(() => r(/broker (mqtt:\/\/\S+)/.exec(out)![1]!), 500)));

  // the workstations: signed in (the first creates the admin), each timing the pushes it receives
  const latencies: number[] = [];
  let pushes = 0;
  let pushBytes = 0;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < clients; i++) {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api`, { origin: url });
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send(JSON.stringify({ type: 'call', id: 1, method: 'signIn', params: { name: 'bench', password: 'bench password', workstation: `ws-${i}` } }));
    });
    ws.on('message', (d: Buffer) => {
      const f = JSON.parse(d.toString()) as { type: string; event?: string; payload?: { last: { tsMs: number } }[] };
      if (f.event !== 'positions') return;
      const now = Date.now();
      if (i === 0) (pushes++, (pushBytes += d.length));
      for (const v of f.payload!) latencies.push(now - v.last.tsMs);
    });
    sockets.push(ws);
  }

  // 10,000 vehicles, one report a second each, spread evenly over the second
  const pub = await mqtt.connectAsync(brokerUrl, { clientId: `bench-${Math.random()}` });
  let k = 0;
  const slice = VEHICLES / 100;
  const timer = setInterval(() => {
    const now = Date.now();
    for (let j = 0; j < slice; j++, k++) {
      const v = k % VEHICLES;
      const lat = 52.4 + (v % 100) * 0.002 + Math.sin(k / VEHICLES) * 0.0005;
      const lon = -1.98 + Math.floor(v / 100) * 0.0015;
      pub.publish(`fleet/V${v}/telemetry`, JSON.stringify({ vehicle_id: `V${v}`, timestamp: now, lat, lon, speed_kmh: 35, heading: 90, hdop: 0.9, satellites: 10 }), { qos: 0 });
    }
  }, 10);
  // the first seconds fill the map: measure after them
  await new Promise((r) => setTimeout(r, 3000));
  latencies.length = 0;
  pushes = 0;
  pushBytes = 0;
  const cpu0 = cpuMs(proc.pid!);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = cpuMs(proc.pid!) - cpu0;
  const elapsedS = (Date.now() - t0) / 1000;
  clearInterval(timer);
  await pub.endAsync();
  for (const ws of sockets) ws.terminate();
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  return {
    workstations: clients,
    'vehicles (1 Hz)': fmt(VEHICLES),
    'pushes/s': (pushes / elapsedS).toFixed(1),
    'bytes a push': fmt(pushBytes / Math.max(1, pushes)),
    'latency p50 ms': fmt(pct(latencies, 50)),
    'latency p99 ms': fmt(pct(latencies, 99)),
    'hub CPU ms/s': fmt(cpu / elapsedS),
  };
}

const rows: Row[] = [];
for (const n of CLIENTS) rows.push(await run(n));
const [one, many] = [rows[0]!, rows[rows.length - 1]!];
const perClient = (Number(String(many['hub CPU ms/s']).replace(/,/g, '')) - Number(String(one['hub CPU ms/s']).replace(/,/g, ''))) / Math.max(1, Number(many.workstations) - Number(one.workstations));
report(
  `hub: ${fmt(VEHICLES)} vehicles at 1 Hz, signed-in workstations over WebSocket`,
  [
    'fleetdesk serve --require-sign-in (a separate process), embedded broker; publisher (mqtt.js, QoS 0) and the workstations (ws clients, each parsing every push) in the bench process',
    'latency = the moment a workstation has parsed the push − the fix time the publisher stamped at send (same clock); target p99 < 500 ms with 20 workstations',
    `hub CPU from /proc (all its threads) over ${SECONDS} s after 3 s of warm-up; each push is serialised once for all workstations (ws-server): an extra workstation costs ≈ ${perClient.toFixed(1)} ms of hub CPU a second (the socket writes)`,
  ],
  rows,
);
process.exit(0);
