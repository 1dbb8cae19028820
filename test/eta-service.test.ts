// ETA through the real service: the speeds it blends in are learned from the database's last 28 days in
// a worker thread (seconds on a big database), once an hour; meanwhile answers use the previous model.
import { describe, expect, it, vi } from 'vitest';
import { runEtaLearning, type EtaLearnMessage } from '../src/main/core/eta/learn-task';
import type { IncomingPoint, Store } from '../src/main/core/storage/store';
import type { TelemetryPoint } from '../src/shared/contract/vehicles';
import { waitFor } from './helpers';
import { publisher, startService } from './service-helpers';

const point = (vehicleId: string, tsMs: number, lat: number, lon: number, speedKmh: number): IncomingPoint => ({
  point: { vehicleId, tsMs, lat, lon, speedKmh, headingDeg: 0, fuelLevelPct: 50, engineRpm: 1500, odometerKm: null, dtcCodes: [], hdop: 1, satellites: 9, coolantTempC: 90, ignition: true, driverId: null } as TelemetryPoint,
  flags: [],
  source: 'mqtt',
});

/** A 10-minute trip north at 48 km/h starting at startMs, with 10 minutes parked before and after. */
function trip(vehicleId: string, startMs: number): IncomingPoint[] {
  const out: IncomingPoint[] = [];
  const lon = 4.9;
  let lat = 52.3;
  for (let t = startMs - 600_000; t < startMs; t += 30_000) out.push(point(vehicleId, t, lat, lon, 0));
  for (let t = startMs; t <= startMs + 600_000; t += 10_000) {
    out.push(point(vehicleId, t, lat, lon, 48));
    lat += (48 / 3.6) * 10 / 111_320; // 10 s at 48 km/h
  }
  for (let t = startMs + 630_000; t < startMs + 1_200_000; t += 30_000) out.push(point(vehicleId, t, lat, lon, 0));
  return out;
}

describe('ETA', () => {
  it('learns historical speeds in a worker, once an hour, answering from the last model meanwhile', async () => {
    const { service } = await startService();
    const store = (service as unknown as { store: Store }).store;
    const now = Date.now();
    // three trips in this same hour of the week, one, two and three weeks ago
    const hourStart = Math.floor(now / 3_600_000) * 3_600_000;
    for (const weeks of [1, 2, 3]) store.telemetry.writeBatch(trip('ETA-1', hourStart - weeks * 7 * 86_400_000 + 60_000), [], now);

    const pub = await publisher(service.brokerUrl);
    await pub.publishAsync('fleet/ETA-1/telemetry', JSON.stringify({ vehicle_id: 'ETA-1', timestamp: Date.now(), lat: 52.3, lon: 4.9, speed_kmh: 20, heading: 0, hdop: 1, satellites: 9 }), { qos: 1 });
    await waitFor(async () => (await service.handlers.getStatus({})).vehiclesTotal >= 1 || null, 'the vehicle on the map');

    const models = (service as unknown as { p: { eta: { current: { learnedMs: number } | null; learnInWorker(nowMs: number): Promise<unknown> } } }).p.eta;
    const learned = vi.spyOn(models, 'learnInWorker');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const first = await service.handlers.getEta({ vehicleId: 'ETA-1', destination: { lat: 52.4, lon: 4.9 } });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0); // the service's thread turned while the worker read the month
    expect(learned).toHaveBeenCalledTimes(1);
    expect(first.historicalSource).toBe('vehicle');
    expect(first.historicalKmh).toBeGreaterThan(40); // the trips' 48 km/h (GPS distance over duration)
    expect(first.historicalKmh).toBeLessThan(55);
    expect(first.state).toBe('en_route');

    // within the hour: the same model, nothing learned again
    await service.handlers.getEta({ vehicleId: 'ETA-1', destination: { lat: 52.4, lon: 4.9 } });
    expect(learned).toHaveBeenCalledTimes(1);

    // an hour later: the answer comes at once from the old model while a new one is learned
    const cached = models.current!;
    cached.learnedMs -= 3_700_000;
    const again = await service.handlers.getEta({ vehicleId: 'ETA-1', destination: { lat: 52.4, lon: 4.9 } });
    expect(learned).toHaveBeenCalledTimes(2);
    expect(models.current).toBe(cached); // answered before the new model came
    expect(again.historicalSource).toBe('vehicle');
    await waitFor(() => models.current!.learnedMs > cached.learnedMs + 3_600_000 || null, 'the new model');
  });

  it('says why when the database cannot be read for learning', () => {
    const messages: EtaLearnMessage[] = [];
    runEtaLearning({ dbFile: '/nonexistent/fleet.sqlite', fromMs: 0, toMs: 1, timeZone: 'UTC' }, (m) => messages.push(m));
    expect(messages).toHaveLength(1);
    expect(messages[0]!.type).toBe('failed');
  });
});
