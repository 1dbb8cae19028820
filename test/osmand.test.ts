// The OsmAnd HTTP endpoint with real HTTP clients (curl and fetch): same validation, storage and engine as MQTT.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../src/shared/contract/alerts';
import { FleetService } from '../src/main/app/service';
import { tempDir, waitFor, WORKER_PATH } from './helpers';

const run = promisify(execFile);
let service: FleetService | null = null;
afterEach(async () => service?.stop());

/** `anonymous`: devices without a secret may report (the tests of the protocol itself use that). */
async function start(anonymous = true) {
  const dbFile = path.join(tempDir(), 'osmand.sqlite');
  service = new FleetService({ dbFile, workerPath: WORKER_PATH, embeddedBroker: { port: 0, allowAnonymous: anonymous || undefined }, osmand: { port: 0 } });
  await service.start();
  const url = (await service.handlers.getStatus({})).osmand.url!;
  return { url, dbFile };
}

const rows = (dbFile: string, sql: string) => {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
};

describe('OsmAnd endpoint', () => {
  it('stores the Traccar Client request sent by curl, and has committed it when it answers 200', async () => {
    const { url, dbFile } = await start();
    const { stdout } = await run('curl', ['-s', '-w', ' %{http_code}', `${url}/?id=123456789012345&timestamp=1504763810&lat=40.7232948571&lon=-74.0061408571&bearing=7.19889788244&speed=40&ignition=true&rpm=933&fuel=24`]);
    expect(stdout).toBe('OK 200');
    expect(rows(dbFile, 'SELECT vehicle_id, ts_ms, speed_kmh, heading_deg, engine_rpm, ignition, source, attributes, quality FROM telemetry')).toEqual([
      { vehicle_id: '123456789012345', ts_ms: 1_504_763_810_000, speed_kmh: 74.08, heading_deg: 7.19889788244, engine_rpm: 933, ignition: 1, source: 'osmand', attributes: '{"fuel":24}', quality: 'old_time' },
    ]);
  });

  it('accepts a form POST and the JSON body form, and answers 400 with the reason (kept as a dead letter) without an id', async () => {
    const { url, dbFile } = await start();
    const now = Date.now();
    const form = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `deviceid=PHONE-1&location=52.48,-1.89&timestamp=${now}&speed=10` });
    expect([form.status, await form.text()]).toEqual([200, 'OK']);
    const json = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ device_id: 'PHONE-2', location: { timestamp: new Date(now).toISOString(), coords: { latitude: 52.49, longitude: -1.88, speed: 5, heading: 90 } } }),
    });
    expect(json.status).toBe(200);
    const bad = await fetch(`${url}/?lat=52.48&lon=-1.89`);
    expect([bad.status, await bad.text()]).toEqual([400, 'OsmAnd request without id or deviceid']);
    const badJson = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"device_id":' });
    expect(badJson.status).toBe(400);
    expect(rows(dbFile, 'SELECT vehicle_id, speed_kmh FROM telemetry ORDER BY vehicle_id')).toEqual([
      { vehicle_id: 'PHONE-1', speed_kmh: 18.52 },
      { vehicle_id: 'PHONE-2', speed_kmh: 18 },
    ]);
    expect(rows(dbFile, 'SELECT source, reason, payload FROM dead_letters ORDER BY id').map((r) => ({ ...(r as object), payload: String((r as { payload: Buffer }).payload) }))).toEqual([
      { source: 'osmand', reason: 'OsmAnd request without id or deviceid', payload: 'GET /?lat=52.48&lon=-1.89\n' },
      { source: 'osmand', reason: expect.stringMatching(/^malformed JSON/), payload: 'POST /\n{"device_id":' },
    ]);
    expect((await service!.handlers.listVehicles({})).map((v) => v.vehicleId)).toEqual(['PHONE-1', 'PHONE-2']);
  });

  it('feeds the same geofence engine as MQTT', async () => {
    const { url } = await start();
    const alerts: Alert[] = [];
    service!.on('alertRaised', (a) => alerts.push(a));
    await service!.handlers.saveGeofence({ name: 'Yard', category: 'depot', geometry: { type: 'Polygon', coordinates: [[[-1.892, 52.478], [-1.888, 52.478], [-1.888, 52.482], [-1.892, 52.482], [-1.892, 52.478]]] } });
    const t = Math.floor(Date.now() / 1000);
    for (const [i, lon] of [-1.9, -1.895, -1.89].entries()) {
      expect((await fetch(`${url}/?id=PHONE-3&lat=52.48&lon=${lon}&timestamp=${t + i * 20}`)).status).toBe(200);
    }
    await waitFor(() => alerts.length === 1, 'the enter alert');
    expect(alerts[0]).toMatchObject({ type: 'geofence_enter', vehicleId: 'PHONE-3', fenceName: 'Yard' });
  });

  it('takes positions only from devices that prove who they are, never from a web page, and not too fast', async () => {
    const { url, dbFile } = await start(false);
    const t = Math.floor(Date.now() / 1000);
    const at = (q: string, init?: RequestInit) => fetch(`${url}/?lat=52.48&lon=-1.89&timestamp=${t}&${q}`, init).then(async (r) => [r.status, await r.text()]);
    // anonymous access off: an unknown id is refused and kept as a dead letter with the reason
    expect(await at('id=STRANGER')).toEqual([403, expect.stringContaining('unknown device STRANGER')]);
    const { secret } = await service!.handlers.createDeviceCredential({ vehicleId: 'VAN-1' });
    expect(await at('id=VAN-1')).toEqual([401, expect.stringContaining('VAN-1 has a secret')]);
    expect(await at('id=VAN-1&key=wrong')).toEqual([401, 'refused: wrong key for VAN-1']);
    expect(await at(`id=VAN-1&key=${encodeURIComponent(secret)}`)).toEqual([200, 'OK']);
    const basic = `Basic ${Buffer.from(`VAN-1:${secret}`).toString('base64')}`;
    expect((await fetch(`${url}/?id=VAN-1&lat=52.48&lon=-1.89&timestamp=${t + 1}`, { headers: { authorization: basic } })).status).toBe(200);
    // a page in the dispatcher's browser posting a form cross-site
    expect((await fetch(url, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: `id=VAN-1&key=${secret}&lat=1&lon=1` })).status).toBe(403);
    expect(rows(dbFile, 'SELECT vehicle_id, attributes FROM telemetry')).toEqual([
      { vehicle_id: 'VAN-1', attributes: null },
      { vehicle_id: 'VAN-1', attributes: null },
    ]);
    const dead = rows(dbFile, 'SELECT reason, payload FROM dead_letters ORDER BY id').map((r) => ({ ...(r as object), payload: String((r as { payload: Buffer }).payload) })) as { reason: string; payload: string }[];
    expect(dead.map((d) => d.reason)).toEqual([expect.stringMatching(/^refused: unknown device STRANGER/), expect.stringMatching(/^refused: VAN-1 has a secret/), 'refused: wrong key for VAN-1']);
    expect(dead[2]!.payload).toContain('key=***'); // a key, right or wrong, is never stored
    const sec = await service!.handlers.getBrokerSecurity({});
    expect(sec.devices.find((d) => d.vehicleId === 'VAN-1')).toMatchObject({ refused: 2, lastRefusalReason: 'bad credentials' });
    expect(sec.refusals.byReason).toContainEqual({ listener: 'OsmAnd', reason: 'request from a web page (403)', count: 1 });
    // one device sending far faster than a tracker does is slowed down
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await fetch(`${url}/?id=VAN-1&key=${encodeURIComponent(secret)}&lat=52.48&lon=-1.89&timestamp=${t + 10 + i}`)).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
  });
});
