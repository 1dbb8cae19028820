// The broker goes down in the middle of a QoS 1 flood and comes back: FleetDesk reconnects by itself and
// every message the broker accepted ends up stored exactly once.
import { chmodSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetService } from '../src/main/app/service';
import { requireTool, startMosquitto, telemetry, tempDir, waitFor, WORKER_PATH, type Mosquitto } from './helpers';

let broker: Mosquitto | null = null;
let service: FleetService | null = null;
afterEach(async () => {
  await service?.stop();
  await broker?.stop();
});

describe.runIf(requireTool('mosquitto'))('broker restart mid-flood', () => {
  it('resumes by itself and loses nothing the broker accepted', async () => {
    // A broker that keeps its sessions and queued messages on disk across a restart, as a depot should run it.
    const persistenceDir = tempDir('fleetdesk-mosquitto-data-');
    chmodSync(persistenceDir, 0o777); // mosquitto drops root for its own user
    broker = await startMosquitto(undefined, { persistenceDir });
    const port = broker.port;
    service = new FleetService({ dbFile: path.join(tempDir(), 'restart.sqlite'), workerPath: WORKER_PATH, broker: { url: broker.url } });
    await service.start();
    await waitFor(async () => (await service!.handlers.getStatus({})).broker.state === 'connected', 'the first connection');

    // The publisher keeps its own session too, and re-sends what the broker had not acknowledged.
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'restart-publisher', clean: false, reconnectPeriod: 200 });
    const TOTAL = 4000;
    const t0 = Date.UTC(2026, 10, 23, 8);
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const id = `R-${i % 100}`;
      sends.push(pub.publishAsync(`fleet/${id}/telemetry`, JSON.stringify(telemetry({ vehicle_id: id, timestamp: t0 + Math.floor(i / 100) * 1000 })), { qos: 1 }));
      if (i === 1500) {
        await Promise.all(sends.slice(-100));
        await broker.stop(); // SIGTERM: mosquitto saves sessions and queues, like a service restart
        await waitFor(async () => (await service!.handlers.getStatus({})).broker.state !== 'connected', 'FleetDesk to notice');
        broker = await startMosquitto(port, { persistenceDir });
      }
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(sends);
    await waitFor(() => service!.stats().telemetryRows >= TOTAL, `all ${TOTAL} messages stored`, 30_000, 100);
    await new Promise((r) => setTimeout(r, 300));
    expect(service.stats().telemetryRows).toBe(TOTAL);
    expect((await service.handlers.getStatus({})).broker.state).toBe('connected');
    await pub.endAsync();
  });
});
