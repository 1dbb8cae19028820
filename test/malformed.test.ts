// 10,000 generated malformed payloads through a real broker: no crash, every one a dead letter with a reason.
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/main/core/sim/demo-fleet';
import { FleetService } from '../src/main/app/service';
import { telemetry, tempDir, waitFor, WORKER_PATH } from './helpers';

/** One invalid payload of each kind, chosen by `i`; randomised within the kind. */
function malformed(i: number, rand: () => number): { topic: string; payload: Buffer } {
  const id = `M-${i % 50}`;
  const topic = `fleet/${id}/telemetry`;
  const valid = telemetry({ vehicle_id: id, timestamp: Date.now() });
  const json = JSON.stringify(valid);
  const wrong = [() => String(rand()), () => true, () => ({ deg: 52 }), () => [52], () => null];
  const fields = ['lat', 'lon', 'vehicle_id', 'timestamp'];
  const kinds: (() => Buffer | string)[] = [
    () => json.slice(0, Math.floor(rand() * (json.length - 1))), // truncated
    () => JSON.stringify({ ...valid, [fields[Math.floor(rand() * 2)]!]: wrong[Math.floor(rand() * wrong.length)]!() }), // wrong type
    () => JSON.stringify({ ...valid, lat: 90 + 1e-9 + rand() * 1000 }), // impossible latitude
    () => JSON.stringify({ ...valid, lon: -180 - 1e-9 - rand() * 1000 }), // impossible longitude
    () => JSON.stringify({ ...valid, speed_kmh: -1 - rand() * 100 }), // negative speed
    () => Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 300) }, (_, k) => (k === 0 ? 0xff : Math.floor(rand() * 256)))), // binary
    () => JSON.stringify({ ...valid, pad: 'x'.repeat(17_000 + Math.floor(rand() * 100_000)) }), // oversized
    () => JSON.stringify({ ...valid, extra: { a: { b: { c: { d: { e: rand() } } } } } }), // deeply nested
    () => {
      const { [fields[Math.floor(rand() * fields.length)]!]: _gone, ...rest } = valid;
      return JSON.stringify(rest); // missing required field
    },
    () => [String(rand()), '"text"', '[1,2,3]', 'null', 'true', '{}'][Math.floor(rand() * 6)]!, // not a telemetry object
    () => json.replace(/"lat":[^,]+/, `"lat":${['NaN', 'Infinity', '-Infinity', 'undefined'][Math.floor(rand() * 4)]}`), // non-JSON numbers
    () => JSON.stringify({ ...valid, timestamp: [Math.floor(Date.now() / 1000), '2026-11-23 08:00:00', 'yesterday', ''][Math.floor(rand() * 4)] }), // bad time
    () => JSON.stringify({ ...valid, vehicle_id: `${id}-other` }), // another vehicle's topic
    () => '',
  ];
  const k = kinds[i % kinds.length]!();
  return { topic, payload: Buffer.isBuffer(k) ? k : Buffer.from(k) };
}

let service: FleetService | null = null;
afterEach(async () => service?.stop());

describe('malformed telemetry', () => {
  it('10,000 malformed payloads: zero crashes, all in dead letters with a reason, and good data still flows', async () => {
    const dbFile = path.join(tempDir(), 'fuzz.sqlite');
    service = new FleetService({ dbFile, workerPath: WORKER_PATH, embeddedBroker: { port: 0, allowAnonymous: true } });
    await service.start();
    const pub = await mqtt.connectAsync(service.brokerUrl);
    const rand = mulberry32(99);
    const N = 10_000;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      const m = malformed(i, rand);
      sends.push(pub.publishAsync(m.topic, m.payload, { qos: 1 }));
      if (i % 500 === 0) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
    await waitFor(async () => (await service!.handlers.getStatus({})).ingest.rejected === N, `${N} rejections`, 30_000, 100);

    await pub.publishAsync('fleet/GOOD-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'GOOD-1', timestamp: Date.now() })), { qos: 1 });
    await waitFor(async () => (await service!.handlers.listVehicles({})).some((v) => v.vehicleId === 'GOOD-1'), 'the good message');
    await pub.endAsync();

    const db = new Database(dbFile, { readonly: true });
    const counts = db.prepare(`SELECT count(*) AS n, sum(reason = '') AS blank, max(length(payload)) AS maxKept FROM dead_letters`).get() as { n: number; blank: number; maxKept: number };
    const telemetryRows = (db.prepare('SELECT count(*) AS n FROM telemetry').get() as { n: number }).n;
    const reasons = (db.prepare(`SELECT DISTINCT substr(reason, 1, 18) AS r FROM dead_letters`).all() as { r: string }[]).map((x) => x.r);
    db.close();
    expect(counts).toEqual({ n: N, blank: 0, maxKept: 4096 });
    expect(telemetryRows).toBe(1);
    expect(reasons.length).toBeGreaterThan(10);
  });
});
