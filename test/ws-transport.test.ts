// The WebSocket transport of serve mode: same contract, same-origin only, static UI with a strict CSP.
import http from 'node:http';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../src/shared/api';
import { startWsServer, type WsServer } from '../src/main/adapters/ws-server';
import { FleetService } from '../src/main/app/service';
import { tempDir, waitFor, WORKER_PATH } from './helpers';

let server: WsServer | null = null;
let service: FleetService | null = null;
afterEach(async () => {
  await server?.close();
  await service?.stop();
});

async function start() {
  service = new FleetService({ dbFile: path.join(tempDir(), 'ws.sqlite'), workerPath: WORKER_PATH, embeddedBroker: { port: 0 } });
  await service.start();
  server = await startWsServer({
    rendererDir: path.resolve('out/renderer'),
    handlers: service.handlers,
    events: service,
    port: 0,
    downloads: (jobId, fileName) => service!.exports.takeDownload(jobId, fileName),
  });
  return server;
}

function connect(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function call(ws: WebSocket, id: number, method: string, params: unknown): Promise<ServerFrame> {
  return new Promise((resolve) => {
    const onMsg = (data: WebSocket.RawData) => {
      const f = JSON.parse(String(data)) as ServerFrame;
      if (f.type === 'result' && f.id === id) {
        ws.off('message', onMsg);
        resolve(f);
      }
    };
    ws.on('message', onMsg);
    ws.send(JSON.stringify({ type: 'call', id, method, params }));
  });
}

describe('WebSocket transport', () => {
  it('answers calls, reports errors meant for people, and pushes events', async () => {
    const s = await start();
    const ws = await connect(`ws://127.0.0.1:${s.port}/api`, s.url);
    expect(await call(ws, 1, 'listVehicles', {})).toEqual({ type: 'result', id: 1, ok: true, result: [] });
    expect(await call(ws, 2, 'dropDatabase', {})).toEqual({ type: 'result', id: 2, ok: false, error: { code: 'bad_request', message: 'unknown method "dropDatabase"' } });
    const bad = await call(ws, 3, 'saveGeofence', { name: 'x', category: 'planet', geometry: null });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('Unknown category "planet"') } });
    const events: string[] = [];
    ws.on('message', (d) => {
      const f = JSON.parse(String(d)) as ServerFrame;
      if (f.type === 'event') events.push(f.event);
    });
    await call(ws, 4, 'saveGeofence', { name: 'Yard', category: 'depot', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] } });
    expect(events).toContain('geofencesChanged');
    ws.close();
  });

  it('refuses a WebSocket from another origin, so other web pages cannot drive FleetDesk', async () => {
    const s = await start();
    await expect(connect(`ws://127.0.0.1:${s.port}/api`, 'http://evil.example')).rejects.toThrow('HTTP 401');
  });

  it('refuses a WebSocket without Origin, and a DNS-rebound page whose Host is not one FleetDesk serves', async () => {
    const s = await start();
    await expect(connect(`ws://127.0.0.1:${s.port}/api`)).rejects.toThrow('HTTP 401');
    // evil.example resolved to 127.0.0.1: the browser sends its own name as Host and as Origin
    const rebound = new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api`, { origin: `http://evil.example:${s.port}`, headers: { host: `evil.example:${s.port}` } });
      ws.once('open', () => resolve('open'));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
    });
    expect(await rebound).toBe('HTTP 401');
    const page = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: s.port, path: '/', headers: { host: `evil.example:${s.port}` } }, (r) => resolve(r.statusCode!)).on('error', reject);
    });
    expect(page).toBe(421);
    // the names it does serve still work
    (await connect(`ws://localhost:${s.port}/api`, `http://localhost:${s.port}`)).close();
    expect(s.refusals.byReason['WebSocket without Origin']).toBe(1);
    expect(s.refusals.byReason['WebSocket from a foreign origin']).toBe(1);
  });

  it('hands an export link out once, even to two requests at the same moment', async () => {
    const s = await start();
    const job = await service!.handlers.startExport({ report: 'geofences', format: 'csv', fromMs: 0, toMs: Date.now(), vehicleIds: [], timeZone: 'UTC' });
    const done = await waitFor(() => (service!.exports.get(job.jobId)?.state === 'done' ? service!.exports.get(job.jobId) : null), 'the export');
    const url = `${s.url}${done.downloadUrl}`;
    const answers = await Promise.all([fetch(url), fetch(url), fetch(url)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 404, 404]);
    for (const r of answers) await r.arrayBuffer();
    expect((await fetch(url)).status).toBe(404);
  });

  it('serves the UI with a strict CSP and nothing outside its folder', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<div id="root">');
    // A raw request: fetch() would normalise the dots away before sending.
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: s.port, path: '/../../package.json' }, (r) => resolve(r.statusCode!)).on('error', reject);
    });
    expect(status).toBe(404);
  });
});
