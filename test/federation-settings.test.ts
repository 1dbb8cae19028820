// A depot's link to headquarters set in Settings (the desktop app has no command line): refused with why
// for a bad depot id or address; on, it forwards to headquarters' broker (mosquitto) and keeps the password
// apart from the database; after a restart it forwards again by itself; off, it stops.
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch, type Batch } from '../src/main/domains/federation/wire';
import { requireTool, startMosquitto, telemetry, waitFor } from './helpers';
import { onCleanup, publisher, startService } from './service-helpers';

describe.runIf(requireTool('mosquitto'))('the headquarters link in Settings', () => {
  it('refuses bad settings, forwards once set, resumes after a restart, stops when turned off', async () => {
    const upstream = await startMosquitto();
    onCleanup(() => upstream.stop());
    const hq = await mqtt.connectAsync(upstream.url, { clientId: 'hq-listener' });
    onCleanup(() => hq.endAsync(true));
    const batches: Batch[] = [];
    hq.on('message', (_t, p) => {
      const b = decodeBatch(p);
      if (typeof b !== 'string') batches.push(b);
    });
    await hq.subscribeAsync('fleetdesk/+/telemetry', { qos: 1 });

    const first = await startService();
    const h = first.service.handlers;
    expect((await h.getFederation({})).role).toBe('off');
    await expect(h.setUpstream({ enabled: true, depotId: 'east depot', url: upstream.url })).rejects.toThrow('The depot id is 1–32 letters, digits, - or _');
    await expect(h.setUpstream({ enabled: true, depotId: 'east', url: 'http://hq.example' })).rejects.toThrow("Headquarters' broker is an mqtt://, mqtts://, ws:// or wss:// address");
    const on = await h.setUpstream({ enabled: true, depotId: 'east', url: upstream.url, username: 'east', password: 'depot secret 1' });
    expect(on).toMatchObject({ role: 'depot', depotId: 'east', fromSettings: true, username: 'east' });
    // the password is in the secrets file, not in the database's settings
    const db = new Database(first.dbFile, { readonly: true });
    const saved = (db.prepare(`SELECT value FROM settings WHERE key = 'federation.upstream'`).get() as { value: string }).value;
    const all = (db.prepare(`SELECT group_concat(value) AS v FROM settings`).get() as { v: string }).v;
    db.close();
    expect(JSON.parse(saved)).toEqual({ depotId: 'east', url: upstream.url, username: 'east', maxRowsPerSec: null });
    expect(all).not.toContain('depot secret 1');
    const secrets = readFileSync(first.dbFile.replace(/\.sqlite$/, '.secrets.json'), 'utf8');
    expect(secrets).toContain('depot secret 1');

    const pub = await publisher(first.service.brokerUrl);
    await pub.publishAsync('fleet/E-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'E-1', timestamp: Date.now() - 2000 })), { qos: 1 });
    await waitFor(() => (batches.some((b) => b.depot === 'east' && b.rows.length === 1) ? true : null), 'the first batch at headquarters');
    await first.service.stop();

    // started again (no command line): it forwards by itself
    const second = await startService({ dbFile: first.dbFile });
    expect(await second.service.handlers.getFederation({})).toMatchObject({ role: 'depot', depotId: 'east', fromSettings: true });
    const pub2 = await publisher(second.service.brokerUrl);
    await pub2.publishAsync('fleet/E-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'E-1', timestamp: Date.now() - 1000 })), { qos: 1 });
    await waitFor(() => (batches.filter((b) => b.depot === 'east').length >= 2 ? true : null), 'a batch after the restart');
    const off = await second.service.handlers.setUpstream({ enabled: false });
    expect(off.role).toBe('off');
  });
});

describe.runIf(requireTool('mosquitto'))('headquarters hearing a depot catch up', () => {
  it('shows a depot vehicle by when its fix was made: an hour-old backlog does not look live', async () => {
    const upstream = await startMosquitto();
    onCleanup(() => upstream.stop());
    const { service } = await startService({ federation: { headquarters: { broker: { url: upstream.url } } } });
    await waitFor(async () => ((await service.handlers.getFederation({})).connected ? true : null), 'headquarters connected to the depots broker');
    const depot = await mqtt.connectAsync(upstream.url, { clientId: 'depot-west' });
    onCleanup(() => depot.endAsync(true));
    const now = Date.now();
    const row = (id: number, v: string, tsMs: number) => [id, v, tsMs, 52.5, -1.9, 30, 90, 50, 1500, 1000, null, 0.9, 9, 80, 1, null, null, 'mqtt', null];
    const batch: Batch = { v: 1, depot: 'west', stream: 'telemetry', fromId: 0, toId: 2, sentMs: now, depotNewestMs: now, backlogRows: 0, backlogOldestMs: null, rows: [row(1, 'W-OLD', now - 3_600_000), row(2, 'W-NOW', now - 2000)] };
    await depot.publishAsync('fleetdesk/west/telemetry', encodeBatch(batch), { qos: 1 });
    const vehicles = await waitFor(async () => {
      const list = await service.handlers.listVehicles({});
      return list.length === 2 ? list : null;
    }, 'both depot vehicles at headquarters');
    const byId = Object.fromEntries(vehicles.map((v) => [v.vehicleId, v]));
    expect(byId['W-NOW']!.status).not.toBe('offline');
    expect(byId['W-OLD']!.status).toBe('offline');
    expect(byId['W-OLD']!.lastSeenMs).toBe(now - 3_600_000);
    // headquarters' status bar and Ingest tab count what depots sent (not 0 and "last message never")
    await depot.publishAsync('fleetdesk/west/telemetry', encodeBatch(batch), { qos: 1 }); // delivered again: duplicates
    const status = await waitFor(async () => {
      const s = await service.handlers.getStatus({});
      return s.ingest.duplicates === 2 ? s : null;
    }, 'the resent batch counted as duplicates');
    expect(status.ingest).toEqual({ accepted: 2, flagged: 0, duplicates: 2, rejected: 0 });
    expect(status.lastMessageMs).toBeGreaterThan(now - 60_000);
    expect((await service.handlers.getIngestHealth({})).totals.accepted).toBe(2);
  });
});
