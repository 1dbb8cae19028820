// A FleetService on a real aedes broker and SQLite file, stopped after each test; and an MQTT publisher.
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach } from 'vitest';
import { FleetService } from '../src/main/app/service';
import { tempDir, waitFor, WORKER_PATH } from './helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export async function startService(opts: Partial<ConstructorParameters<typeof FleetService>[0]> = {}) {
  const dbFile = opts.dbFile ?? path.join(tempDir(), 'fleet.sqlite');
  const logs: string[] = [];
  const service = new FleetService({ dbFile, workerPath: WORKER_PATH, embeddedBroker: { port: 0, allowAnonymous: true }, log: (l) => logs.push(l), ...opts });
  await service.start();
  cleanups.push(() => service.stop());
  await waitFor(async () => (await service.handlers.getStatus({})).broker.state === 'connected', 'the broker connection (embedded: up at once)');
  return { service, dbFile, logs };
}

export async function publisher(url: string) {
  const client = await mqtt.connectAsync(url, { clientId: `test-pub-${Math.random()}` });
  cleanups.push(() => client.endAsync());
  return client;
}
