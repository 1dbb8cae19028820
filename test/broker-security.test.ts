// The embedded broker's security with real MQTT clients: credentials, fleet token, topic ACLs, TLS.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetService } from '../src/main/app/service';
import { freePort, telemetry, tempDir, waitFor, WORKER_PATH } from './helpers';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(embedded: ConstructorParameters<typeof FleetService>[0]['embeddedBroker'] = { port: 0 }) {
  const service = new FleetService({ dbFile: path.join(tempDir(), 'sec.sqlite'), workerPath: WORKER_PATH, embeddedBroker: embedded });
  await service.start();
  cleanups.push(() => service.stop());
  await waitFor(async () => (await service.handlers.getStatus({})).broker.state === 'connected', 'the broker to be up');
  return service;
}

async function connect(url: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  cleanups.push(() => c.endAsync(true));
  return c;
}

const msg = (id: string) => JSON.stringify(telemetry({ vehicle_id: id, timestamp: Date.now() }));

describe('embedded broker security', () => {
  it('refuses anonymous clients by default', async () => {
    const service = await start();
    await expect(connect(service.brokerUrl)).rejects.toThrow(/Not authorized/i);
    expect((await service.handlers.getBrokerSecurity({})).allowAnonymous).toBe(false);
  });

  it('lets a vehicle in with its own secret and stores what it publishes; refuses a wrong password', async () => {
    const service = await start();
    const { secret } = await service.handlers.createDeviceCredential({ vehicleId: 'VAN-1' });
    await expect(connect(service.brokerUrl, { username: 'VAN-1', password: 'wrong' })).rejects.toThrow(/Bad username or password/i);
    const van = await connect(service.brokerUrl, { username: 'VAN-1', password: secret });
    await van.publishAsync('fleet/VAN-1/telemetry', msg('VAN-1'), { qos: 1 });
    await waitFor(() => service.stats().telemetryRows === 1, 'VAN-1’s report');
    expect((await service.handlers.getBrokerSecurity({})).devices.map((d) => d.vehicleId)).toEqual(['VAN-1']);
  });

  it('refuses a vehicle publishing to another vehicle’s topic or subscribing to the fleet', async () => {
    const service = await start();
    const { secret } = await service.handlers.createDeviceCredential({ vehicleId: 'VAN-1' });
    const van = await connect(service.brokerUrl, { username: 'VAN-1', password: secret });
    // refused with a negative SUBACK, which mqtt.js reports as an error
    await expect(van.subscribeAsync('fleet/+/telemetry', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    const closed = new Promise<void>((r) => van.once('close', () => r()));
    van.publish('fleet/VAN-2/telemetry', msg('VAN-2'), { qos: 1 });
    await closed; // the broker drops a client that publishes where it may not
    await new Promise((r) => setTimeout(r, 200));
    expect(service.stats().telemetryRows).toBe(0);
  });

  it('accepts the shared fleet token for any vehicle id, until it is cleared; a revoked secret stops working', async () => {
    const service = await start();
    const { token } = await service.handlers.rotateFleetToken({});
    const c = await connect(service.brokerUrl, { username: 'TRUCK-9', password: token });
    await c.publishAsync('fleet/TRUCK-9/telemetry', msg('TRUCK-9'), { qos: 1 });
    await waitFor(() => service.stats().telemetryRows === 1, 'TRUCK-9’s report');
    await service.handlers.clearFleetToken({});
    await expect(connect(service.brokerUrl, { username: 'TRUCK-9', password: token })).rejects.toThrow(/Bad username or password/i);
    const { secret } = await service.handlers.createDeviceCredential({ vehicleId: 'VAN-3' });
    await service.handlers.revokeDeviceCredential({ vehicleId: 'VAN-3' });
    await expect(connect(service.brokerUrl, { username: 'VAN-3', password: secret })).rejects.toThrow(/Bad username or password/i);
  });

  it('serves vehicles over TLS with the user’s certificate', async () => {
    const dir = tempDir();
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const service = await start({ port: 0, tls: { port: await freePort(), certFile: cert, keyFile: key } });
    const { listenUrls } = await service.handlers.getBrokerSecurity({});
    const tlsUrl = listenUrls.find((u) => u.startsWith('mqtts://'))!;
    const { secret } = await service.handlers.createDeviceCredential({ vehicleId: 'VAN-T' });
    const c = await connect(tlsUrl, { username: 'VAN-T', password: secret, ca: (await import('node:fs')).readFileSync(cert) });
    await c.publishAsync('fleet/VAN-T/telemetry', msg('VAN-T'), { qos: 1 });
    await waitFor(() => service.stats().telemetryRows === 1, 'the report over TLS');
  });
});
