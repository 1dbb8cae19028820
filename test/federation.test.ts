// Depots and headquarters, for real: a depot FleetDesk and a headquarters FleetDesk (`fleetdesk serve`
// processes) with Debian's mosquitto between them, all on loopback. The depot ingests a flood while the
// upstream broker is stopped and started again; it is killed -9 while forwarding, headquarters killed -9
// while storing; afterwards headquarters holds every row the depot committed, exactly once, with the
// depot's quality flags, the depot's alert in the state the depot left it, and its jobs and messages.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, requireTool, startMosquitto, startServe, telemetry, tempDir, waitFor, wsCall, type Mosquitto } from './helpers';

const procs: ChildProcess[] = [];
const brokers: Mosquitto[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
  for (const b of brokers.splice(0)) await b.stop();
});

function rows(dbFile: string): { key: string; quality: string | null }[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare(`SELECT vehicle_id || '@' || ts_ms AS key, quality FROM telemetry ORDER BY vehicle_id, ts_ms`).all() as { key: string; quality: string | null }[];
  } finally {
    db.close();
  }
}

function count(dbFile: string): number {
  try {
    const db = new Database(dbFile, { readonly: true });
    try {
      return (db.prepare(`SELECT count(*) AS n FROM telemetry`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return -1; // not created yet
  }
}

/** What each `serve` printed, for the failure message when a wait times out. */
const outputs: (() => string)[] = [];
async function serve(args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const s = await startServe(['--port', '0', '--osmand-port', 'off', ...args], 'pipe');
  procs.push(s.proc);
  outputs.push(s.output);
  return s;
}
const logsTail = () => outputs.map((o, i) => `--- serve #${i + 1}\n${o().slice(-2500)}`).join('\n');

describe.runIf(requireTool('mosquitto'))('depots and headquarters', () => {
  it('headquarters holds every row the depot committed exactly once, through an upstream outage and kill -9 of either side', async () => {
    const dir = tempDir('federation-');
    const upstreamPort = await freePort();
    const persistence = path.join(dir, 'upstream');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(persistence);
    let upstream = await startMosquitto(upstreamPort, { persistenceDir: persistence });
    brokers.push(upstream);
    const depotDb = path.join(dir, 'depot.sqlite');
    const hqDb = path.join(dir, 'hq.sqlite');
    const depotBrokerPort = await freePort();
    const depotArgs = ['--embedded-broker-port', String(depotBrokerPort), '--allow-anonymous', '--db', depotDb, '--depot-id', 'north', '--upstream', upstream.url, '--forward-rate', '1000'];
    let depot = await serve(depotArgs);
    const hqArgs = ['--embedded-broker-port', '0', '--db', hqDb, '--headquarters', '--depots-broker', upstream.url];
    let hq = await serve(hqArgs);

    // a fence at the depot that some vehicles drive into: their visits go up too
    await wsCall(depot.url, 'saveGeofence', { name: 'North gate', category: 'depot', geometry: { type: 'Circle', center: [-1.893, 52.45], radiusM: 400 } });
    // the depot's vehicles report: 150 vehicles × 40 fixes, every tenth fix with poor precision (flagged)
    const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${depotBrokerPort}`, { clientId: 'fed-pub', reconnectPeriod: 500 });
    const base = Date.now() - 40 * 60_000;
    const flood = async (from: number, to: number) => {
      const sends: Promise<unknown>[] = [];
      for (let i = from; i < to; i++) {
        const id = `N-${i % 150}`;
        const k = Math.floor(i / 150);
        sends.push(pub.publishAsync(`fleet/${id}/telemetry`, JSON.stringify(telemetry({ vehicle_id: id, timestamp: base + k * 30_000, lat: 52.4 + (i % 150) * 0.001, lon: -1.9 + k * 0.0005, hdop: i % 10 === 0 ? 12 : 0.9, satellites: 9, dtc_codes: i === 7 ? ['P0301'] : [] })), { qos: 1 }));
        if (i % 200 === 0) await new Promise((r) => setImmediate(r));
      }
      await Promise.all(sends);
    };
    await flood(0, 1500);
    await waitFor(() => (count(hqDb) > 0 ? true : null), 'the first rows at headquarters', 20_000, 200);

    // the WAN goes: the depot keeps ingesting on its own
    await upstream.stop();
    await flood(1500, 4000);
    await waitFor(() => (count(depotDb) >= 4000 ? true : null), 'the depot to store the flood while upstream is down', 20_000, 200);
    const during = await wsCall<{ backlogRows: number; connected: boolean }>(depot.url, 'getFederation', {});
    expect(during.connected).toBe(false);
    expect(during.backlogRows).toBeGreaterThan(0);

    // the depot's trouble-code alert, acknowledged at the depot while the WAN is down
    // (raised by the code, resolved by itself when the next fix came without it: still anyone's to acknowledge)
    const dtc = await waitFor(async () => (await wsCall<{ id: number; type: string }[]>(depot.url, 'listAlerts', { includeAcknowledged: true })).find((a) => a.type === 'dtc'), 'the trouble-code alert at the depot');
    await wsCall(depot.url, 'acknowledgeAlert', { alertId: dtc.id, by: 'ana', note: 'workshop booked' });
    // and its dispatching meanwhile: jobs planned, given to vehicles, one cancelled; a message to a driver
    for (let i = 0; i < 4; i++) {
      const job = await wsCall<{ id: number }>(depot.url, 'createJob', { ref: `Run ${i}`, stops: [{ lat: 52.45 + i * 0.01, lon: -1.89, name: `Stop ${i}` }] });
      if (i > 0) await wsCall(depot.url, 'assignJob', { id: job.id, vehicleId: `N-${i}` });
      if (i === 3) await wsCall(depot.url, 'cancelJob', { id: job.id, reason: 'customer called off' });
    }
    await wsCall(depot.url, 'sendMessage', { vehicleId: 'N-1', text: 'Depot gate closes at six' });

    // the WAN is back; while the backlog drains (1,000 rows a second at most), the depot is killed -9
    upstream = await startMosquitto(upstreamPort, { persistenceDir: persistence });
    brokers.push(upstream);
    const resumed = await waitFor(async () => {
      const f = await wsCall<{ forwardedRows: number; backlogRows: number }>(depot.url, 'getFederation', {});
      return f.forwardedRows > 0 ? f : null;
    }, 'forwarding to resume', 20_000, 50);
    expect(resumed.backlogRows).toBeGreaterThan(0); // killed mid-forward
    depot.proc.kill('SIGKILL');
    depot = await serve(depotArgs);
    // headquarters killed -9 in the middle of storing the backlog, and started again
    const before = count(hqDb);
    await waitFor(() => (count(hqDb) > before + 100 ? true : null), 'headquarters storing the backlog', 20_000, 20);
    hq.proc.kill('SIGKILL');
    expect(count(hqDb)).toBeLessThan(count(depotDb));
    hq = await serve(hqArgs);
    // the depot's vehicles report on after its restart (the publisher reconnects by itself)
    await flood(4000, 4600);
    await pub.endAsync(true);

    // in the end: every row the depot committed, once, with its quality flags
    await waitFor(() => (count(depotDb) >= 4600 ? true : null), 'the depot to store the last reports', 20_000, 200);
    const depotRows = rows(depotDb);
    expect(depotRows.length).toBe(4600);
    await waitFor(() => (count(hqDb) >= depotRows.length ? true : null), `headquarters to hold all ${depotRows.length} rows`, 60_000, 250).catch((err: Error) => {
      throw new Error(`${err.message} (it holds ${count(hqDb)})\n${logsTail()}`);
    });
    await new Promise((r) => setTimeout(r, 500));
    const hqRows = rows(hqDb);
    expect(hqRows.length).toBe(depotRows.length);
    expect(hqRows).toEqual(depotRows);
    expect(hqRows.filter((r) => r.quality === 'high_hdop').length).toBe(depotRows.filter((r) => r.quality === 'high_hdop').length);
    expect(hqRows.filter((r) => r.quality === 'high_hdop').length).toBeGreaterThan(300);

    // the depot's geofence events, once each, named as at the depot
    const events = (f: string, where: string) => {
      const db = new Database(f, { readonly: true });
      try {
        return db.prepare(`SELECT e.vehicle_id || ' ' || e.event || ' ' || e.ts_ms || ' ' || coalesce(g.name, e.fence_name) AS e FROM fence_events e LEFT JOIN geofences g ON g.id = e.fence_id WHERE ${where} ORDER BY 1`).all().map((r) => (r as { e: string }).e);
      } finally {
        db.close();
      }
    };
    const depotEvents = events(depotDb, '1');
    expect(depotEvents.length).toBeGreaterThan(10);
    await waitFor(() => (events(hqDb, "e.depot_id = 'north'").length >= depotEvents.length ? true : null), 'the geofence events at headquarters', 20_000, 200);
    expect(events(hqDb, "e.depot_id = 'north'")).toEqual(depotEvents);
    // the depot's alert, in the depot's state, read-only here
    type A = { id: number; type: string; depotId: string | null; note: string | null };
    const atDepot = (await wsCall<A[]>(depot.url, 'listAlerts', { includeAcknowledged: true })).find((a) => a.id === dtc.id)!;
    expect(atDepot.note).toContain('workshop booked');
    const atHq = await waitFor(async () => (await wsCall<A[]>(hq.url, 'listAlerts', { includeAcknowledged: true })).find((a) => a.type === 'dtc' && a.note?.includes('workshop booked')), 'the acknowledged alert at headquarters', 20_000, 200);
    const { id: _d, depotId: _dd, ...depotState } = atDepot;
    const { id: _h, depotId, ...hqState } = atHq;
    expect(depotId).toBe('north');
    expect(hqState).toEqual(depotState);
    await expect(wsCall(hq.url, 'resolveAlert', { alertId: atHq.id })).rejects.toThrow('belongs to depot north');
    // its jobs, each with its stops and timeline as the depot has them, and the message
    type J = { id: number; ref: string; status: string; vehicleId: string | null; depotId: string | null; stops: unknown[] };
    const jobView = async (url: string) =>
      Promise.all(
        (await wsCall<J[]>(url, 'listJobs', {})).map(async (j) => {
          const { timeline } = await wsCall<{ timeline: { what: string; by: string; tsMs: number; detail: string }[] }>(url, 'getJob', { id: j.id });
          return { ref: j.ref, status: j.status, vehicleId: j.vehicleId, stops: j.stops, timeline: timeline.map((e) => [e.what, e.by, e.tsMs, e.detail]) };
        }),
      );
    const depotJobs = await jobView(depot.url);
    expect(depotJobs.map((j) => j.status).sort()).toEqual(['cancelled', 'offered', 'offered', 'planned']);
    await waitFor(async () => ((await wsCall<J[]>(hq.url, 'listJobs', {})).filter((j) => j.depotId === 'north').length === 4 ? true : null), 'the depot jobs at headquarters', 20_000, 200);
    expect(await jobView(hq.url)).toEqual(depotJobs);
    expect((await wsCall<{ text: string }[]>(hq.url, 'listMessages', { vehicleId: 'N-1' })).map((m) => m.text)).toEqual(['Depot gate closes at six']);
    const depots = await wsCall<{ id: string; vehicles: string[]; stale: boolean; rowsReceived: number }[]>(hq.url, 'listDepots', {});
    expect(depots).toMatchObject([{ id: 'north', stale: false }]);
    expect(depots[0]!.vehicles).toHaveLength(150);
    // and the depot says its backlog is gone
    await waitFor(async () => ((await wsCall<{ backlogRows: number }>(depot.url, 'getFederation', {})).backlogRows === 0 ? true : null), 'the depot backlog to drain', 20_000, 200);
  }, 150_000);
});
