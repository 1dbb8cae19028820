// FleetService end to end in Node: real MQTT brokers (aedes in-process, Debian's mosquitto), a real SQLite file.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../src/shared/contract/alerts';
import { FleetService } from '../src/main/app/service';
import { ApiError } from '../src/main/api/api-error';
import { startMosquitto, requireTool, telemetry, tempDir, waitFor, WORKER_PATH, type Mosquitto } from './helpers';
import { onCleanup, publisher, startService } from './service-helpers';

const square = (lon: number, lat: number, d: number) => ({
  type: 'Polygon' as const,
  coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]],
});

describe('FleetService with the embedded aedes broker', () => {
  it('stores a valid report, shows the new vehicle, and dead-letters a bad one without stopping', async () => {
    const { service, dbFile } = await startService();
    const pub = await publisher(service.brokerUrl);
    const positions: string[] = [];
    service.on('positions', (b) => positions.push(...b.map((v) => v.vehicleId)));

    await pub.publishAsync('fleet/NEW-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'NEW-1', timestamp: Date.now() })), { qos: 1 });
    await pub.publishAsync('fleet/NEW-1/telemetry', '{"vehicle_id":"NEW-1","lat":"north"', { qos: 1 });
    await pub.publishAsync('fleet/NEW-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'NEW-1', lat: 123 })), { qos: 1 });
    await pub.publishAsync('fleet/NEW-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'NEW-1', timestamp: Date.now() + 1000, speed_kmh: 0 })), { qos: 1 });

    await waitFor(() => positions.includes('NEW-1'), 'a positions event for NEW-1');
    const [v] = await service.handlers.listVehicles({});
    expect(v).toMatchObject({ vehicleId: 'NEW-1', status: 'idle', last: { speedKmh: 0 } });
    const dls = await service.handlers.listDeadLetters({});
    expect(dls.map((d) => d.reason).sort()).toEqual([expect.stringMatching(/^field lat/), expect.stringMatching(/^malformed JSON/)]);
    const db = new Database(dbFile, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM telemetry').get()).toEqual({ n: 2 });
    db.close();
    const status = await service.handlers.getStatus({});
    expect(status).toMatchObject({ vehiclesOnline: 1, ingest: { accepted: 2, rejected: 2 }, broker: { state: 'connected', embedded: true } });
  });

  it('raises an enter alert when a vehicle drives into a fence drawn at run time, and acknowledges it', async () => {
    const { service } = await startService();
    const alerts: Alert[] = [];
    service.on('alertRaised', (a) => alerts.push(a));
    const fence = await service.handlers.saveGeofence({ name: 'No-go', category: 'restricted', geometry: square(-1.89, 52.48, 0.002) });
    const pub = await publisher(service.brokerUrl);
    const t0 = Date.now();
    // 10 s apart at city speeds (a faster track would be flagged as GPS jumps and ignored)
    for (const [i, lon] of [-1.9, -1.895, -1.8905, -1.8895].entries()) {
      await pub.publishAsync('fleet/T-001/telemetry', JSON.stringify(telemetry({ timestamp: t0 + i * 10_000, lon, lat: 52.48 })), { qos: 1 });
    }
    await waitFor(() => alerts.length >= 1, 'the enter alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'geofence_enter', severity: 'critical', vehicleId: 'T-001', fenceId: fence.id, tsMs: t0 + 20_000, message: 'T-001 entered No-go' });
    expect((await service.handlers.getStatus({})).openAlerts).toBe(1);
    const acked = await service.handlers.acknowledgeAlert({ alertId: alerts[0]!.id, by: 'anna' });
    expect(acked.acknowledgedBy).toBe('anna');
    expect(await service.handlers.listAlerts({})).toEqual([]);
    expect((await service.handlers.getVehicle({ vehicleId: 'T-001' }))?.insideFenceIds).toEqual([fence.id]);
  });

  it('does not raise the same enter again after a restart while the vehicle stays inside', async () => {
    const first = await startService();
    const fence = await first.service.handlers.saveGeofence({ name: 'Depot', category: 'depot', geometry: square(-1.89, 52.48, 0.002) });
    let pub = await publisher(first.service.brokerUrl);
    const t0 = Date.now();
    await pub.publishAsync('fleet/T-001/telemetry', JSON.stringify(telemetry({ timestamp: t0, lon: -1.89, lat: 52.48 })), { qos: 1 });
    await waitFor(async () => (await first.service.handlers.listAlerts({})).length === 1, 'the first enter');
    await pub.endAsync();
    await first.service.stop();

    const second = await startService({ dbFile: first.dbFile });
    const raised: Alert[] = [];
    second.service.on('alertRaised', (a) => raised.push(a));
    pub = await publisher(second.service.brokerUrl);
    await pub.publishAsync('fleet/T-001/telemetry', JSON.stringify(telemetry({ timestamp: t0 + 1000, lon: -1.8901, lat: 52.48 })), { qos: 1 });
    await pub.publishAsync('fleet/T-001/telemetry', JSON.stringify(telemetry({ timestamp: t0 + 20_000, lon: -1.886, lat: 52.48 })), { qos: 1 });
    await waitFor(() => raised.length === 1, 'the exit');
    expect(raised.map((a) => [a.type, a.fenceId])).toEqual([['geofence_exit', fence.id]]);
  });

  it('refuses a broken geofence with a message that names the ring', async () => {
    const { service } = await startService();
    const err = await service.handlers
      .saveGeofence({ name: 'Bad', category: 'customer', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('Geofence "Bad" was not saved: outer ring: is not closed (first point [0, 0] differs from last [0, 1]).');
    expect(await service.handlers.listGeofences({})).toEqual([]);
  });

  it('says clearly when the embedded broker port is taken', async () => {
    const { service } = await startService();
    const port = Number(new URL(service.brokerUrl).port);
    const other = new FleetService({ dbFile: path.join(tempDir(), 'b.sqlite'), workerPath: WORKER_PATH, embeddedBroker: { port } });
    onCleanup(() => other.stop());
    await expect(other.start()).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use, so the embedded MQTT broker cannot start.`);
  });
});

describe.runIf(requireTool('mosquitto'))('FleetService with Debian mosquitto', () => {
  let broker: Mosquitto;
  afterEach(async () => broker?.stop());

  it('stores a burst of 2,000 QoS 1 messages from 100 vehicles, all of them once', async () => {
    broker = await startMosquitto();
    const { service } = await startService({ broker: { url: broker.url }, embeddedBroker: undefined });
    const pub = await publisher(broker.url);
    const t0 = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 2000; i++) {
      const id = `B-${i % 100}`;
      sends.push(pub.publishAsync(`fleet/${id}/telemetry`, JSON.stringify(telemetry({ vehicle_id: id, timestamp: t0 + Math.floor(i / 100) * 1000 })), { qos: 1 }));
    }
    await Promise.all(sends);
    // The publisher's PUBACKs come from the broker; FleetDesk commits a moment later.
    await waitFor(() => service.stats().telemetryRows >= 2000, '2,000 rows');
    await new Promise((r) => setTimeout(r, 200));
    expect(service.stats()).toMatchObject({ telemetryRows: 2000, vehicles: 100 });
  });

  it('reconnects by itself when the broker restarts, and shows the outage in the status', async () => {
    broker = await startMosquitto();
    const { service } = await startService({ broker: { url: broker.url }, embeddedBroker: undefined });
    const states: string[] = [];
    service.on('status', (s) => states.push(s.broker.state));
    const port = broker.port;
    await broker.stop();
    await waitFor(async () => (await service.handlers.getStatus({})).broker.state !== 'connected', 'the status to show the outage');
    broker = await startMosquitto(port);
    await waitFor(async () => (await service.handlers.getStatus({})).broker.state === 'connected', 'the reconnect', 20_000);
    const pub = await publisher(broker.url);
    await pub.publishAsync('fleet/R-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'R-1', timestamp: Date.now() })), { qos: 1 });
    await waitFor(() => service.stats().telemetryRows === 1, 'the message after the restart');
    expect(states).toContain('reconnecting');
  });
});
