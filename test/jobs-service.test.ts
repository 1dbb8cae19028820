// Dispatching through the real service and its embedded broker, with devices as real MQTT clients: a job's
// suggestions come ordered by ETA with reasons; assigned, it reaches the device (delivered when the device
// acknowledges it), the device accepts; positions entering and leaving a stop make it arrived, then done;
// a device that was not listening gets the job once when it subscribes, one with a persistent session gets
// it once from the broker; answers that are malformed or about another vehicle's job are dead-lettered;
// a device can neither answer for another vehicle nor publish to its own downlink.
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { Job } from '../src/shared/contract/jobs';
import { telemetry, waitFor } from './helpers';
import { onCleanup, publisher, startService } from './service-helpers';

/** A vehicle's device: logs in with its own secret, listens to its jobs, records what arrives. */
async function device(url: string, vehicleId: string, secret: string, opts: { clean?: boolean } = {}) {
  const client: MqttClient = await mqtt.connectAsync(url, { clientId: vehicleId, username: vehicleId, password: secret, clean: opts.clean ?? false, reconnectPeriod: 0 });
  onCleanup(() => client.endAsync(true));
  const received: { type: string; job_id: number }[] = [];
  client.on('message', (_t, payload) => received.push(JSON.parse(String(payload))));
  await client.subscribeAsync(`fleet/${vehicleId}/jobs`, { qos: 1 });
  const answer = (m: Record<string, unknown>, topic = `fleet/${vehicleId}/jobs/ack`) => client.publishAsync(topic, JSON.stringify(m), { qos: 1 });
  return { client, received, answer };
}

describe('dispatching a job', () => {
  it('suggests by ETA, sends it to the device, hears it accept, and follows the vehicle through its stops', async () => {
    const { service } = await startService();
    const h = service.handlers;
    const pub = await publisher(service.brokerUrl);
    // fix times from ten minutes ago, in order (a fix older than the last trusted one would not count)
    const T0 = Date.now() - 600_000;
    const fix = (id: string, lat: number, lon: number, tsMs: number, speed = 30) => pub.publishAsync(`fleet/${id}/telemetry`, JSON.stringify(telemetry({ vehicle_id: id, lat, lon, speed_kmh: speed, timestamp: tsMs })), { qos: 1 });
    // the stop at 52.50,-1.90; VAN-1 ~1 km away, VAN-2 ~5 km, VAN-3 ~12 km
    await fix('VAN-1', 52.509, -1.9, T0);
    await fix('VAN-2', 52.545, -1.9, T0);
    await fix('VAN-3', 52.608, -1.9, T0);
    await waitFor(async () => ((await h.listVehicles({})).length === 3 ? true : null), 'three vehicles');

    const job = await h.createJob({ ref: 'Acme Ltd', stops: [{ kind: 'pickup', name: 'Depot gate', lat: 52.5, lon: -1.9, radiusM: 100 }, { kind: 'dropoff', name: 'Acme', lat: 52.52, lon: -1.95 }] });
    expect(job).toMatchObject({ status: 'planned', delivery: 'not_sent', vehicleId: null, nextStopSeq: 1, stops: [{ seq: 1, radiusM: 100 }, { seq: 2, radiusM: 150 }] });
    const s = await h.suggestVehicles({ id: job.id });
    expect(s.suggestions.map((x) => x.vehicleId)).toEqual(['VAN-1', 'VAN-2', 'VAN-3']);
    expect(s.suggestions.map((x) => x.rank)).toEqual([1, 2, 3]);
    expect(s.suggestions[0]!.etaMs!).toBeLessThan(s.suggestions[1]!.etaMs!);
    expect(s.suggestions[0]!.why).toMatch(/^free · \d+\.\d km at ~\d+ km\/h$/);
    expect(s.suggestions[1]!.why).toMatch(/min after #1$/);
    expect(s.considered).toBe(3);
    // a job that needs a class of vehicle: only those of that class are ranked, the others said why
    await h.saveRuleSettings({ ...(await h.getRuleSettings({})), engine: { ...(await h.getRuleSettings({})).engine, classes: { ...(await h.getRuleSettings({})).engine.classes, truck: {} }, vehicleClass: { 'VAN-3': 'truck' } } });
    const heavy = await h.createJob({ ref: 'Pallets', vehicleClass: 'truck', stops: [{ lat: 52.5, lon: -1.9 }] });
    const hs = await h.suggestVehicles({ id: heavy.id });
    expect(hs.suggestions.map((x) => x.vehicleId)).toEqual(['VAN-3']);
    expect(hs.excluded).toEqual([{ reason: 'not a truck', count: 2 }]);
    await expect(h.assignJob({ id: heavy.id, vehicleId: 'VAN-1' })).rejects.toThrow(`Job ${heavy.id} needs a truck; VAN-1 is a default (Rules → vehicle classes).`);
    await h.cancelJob({ id: heavy.id, reason: 'test' });

    // VAN-1's device: its own secret; listening before the job is sent
    const { secret } = await h.createDeviceCredential({ vehicleId: 'VAN-1' });
    const van1 = await device(service.brokerUrl, 'VAN-1', secret);
    const assigned = await h.assignJob({ id: job.id, vehicleId: 'VAN-1' });
    expect(assigned).toMatchObject({ status: 'offered', vehicleId: 'VAN-1', delivery: 'sent' });
    await waitFor(() => (van1.received.length ? true : null), 'the job at the device');
    expect(van1.received[0]).toMatchObject({ type: 'job', job_id: job.id, ref: 'Acme Ltd', stops: [{ seq: 1, kind: 'pickup', name: 'Depot gate', lat: 52.5, lon: -1.9, radius_m: 100 }, { seq: 2 }] });
    // the device's PUBACK says it has it
    await waitFor(async () => ((await h.getJob({ id: job.id })).job.delivery === 'delivered' ? true : null), 'delivered');
    await van1.answer({ job_id: job.id, status: 'accepted' });
    await waitFor(async () => ((await h.getJob({ id: job.id })).job.status === 'accepted' ? true : null), 'accepted');

    // drives in: two fixes 12 s apart inside the stop's 100 m → arrived; then out for as long → stop done
    const t = T0 + 120_000;
    await fix('VAN-1', 52.503, -1.9, t - 60_000);
    await fix('VAN-1', 52.5005, -1.9, t - 50_000, 5);
    await fix('VAN-1', 52.5003, -1.9, t - 38_000, 0);
    await waitFor(async () => ((await h.getJob({ id: job.id })).job.status === 'arrived' ? true : null), 'arrived at stop 1');
    await fix('VAN-1', 52.503, -1.905, t - 20_000);
    await fix('VAN-1', 52.506, -1.91, t - 8000);
    await waitFor(async () => ((await h.getJob({ id: job.id })).job.status === 'en_route' && (await h.getJob({ id: job.id })).job.nextStopSeq === 2 ? true : null), 'on to stop 2');
    const mid = (await h.getJob({ id: job.id })).job;
    expect(mid.stops[0]).toMatchObject({ status: 'done', arrivedMs: t - 50_000, departedMs: t - 20_000 });
    // the driver marks the last stop done on the device: the job is done
    await van1.answer({ job_id: job.id, status: 'stop_done', stop: 2 });
    await waitFor(async () => ((await h.getJob({ id: job.id })).job.status === 'done' ? true : null), 'done');
    const { timeline } = await h.getJob({ id: job.id });
    expect(timeline.map((e) => `${e.what}${e.stopSeq ? ` ${e.stopSeq}` : ''} by ${e.by}`)).toEqual([
      'planned by dispatcher',
      'offered by dispatcher',
      'delivered by device VAN-1',
      'accepted by device VAN-1',
      'en_route 1 by FleetDesk',
      'arrived 1 by FleetDesk',
      'departed 1 by FleetDesk',
      'en_route 2 by FleetDesk',
      'stop_done 2 by device VAN-1',
      'done by FleetDesk',
    ]);
    // the stop's circle was watched by the geofence engine, as the jobs domain's own: no fence visit, no fence alert
    const [hist] = await h.getHistory({ vehicleIds: ['VAN-1'], fromMs: T0 - 1000, toMs: Date.now() + 1000 });
    expect(hist!.visits).toEqual([]);
    expect(hist!.alerts.filter((a) => a.fenceId?.startsWith('job:') && a.type !== 'job_late' && a.type !== 'job_missed')).toEqual([]);
    expect(timeline.find((e) => e.what === 'arrived')!.detail).toMatch(/^at Depot gate \(\d+ m from its centre\)$/);
    // the job stays where its vehicle's jobs are listed, no longer among the open ones
    expect((await h.listJobs({ vehicleId: 'VAN-1' })).map((j) => j.id)).toEqual([job.id]);
    expect(await h.listJobs({ open: true })).toEqual([]);
  });

  it('reaches a device that was not listening, once; refuses what a device may not do; dead-letters bad answers', async () => {
    const { service } = await startService();
    const h = service.handlers;
    const pub = await publisher(service.brokerUrl);
    for (const id of ['VAN-4', 'VAN-5']) await pub.publishAsync(`fleet/${id}/telemetry`, JSON.stringify(telemetry({ vehicle_id: id, lat: 52.5, lon: -1.9, timestamp: Date.now() - 3000 })), { qos: 1 });
    await waitFor(async () => ((await h.listVehicles({})).length === 2 ? true : null), 'two vehicles');
    const c4 = await h.createDeviceCredential({ vehicleId: 'VAN-4' });
    const c5 = await h.createDeviceCredential({ vehicleId: 'VAN-5' });

    // VAN-4's device is not connected when the job is sent: it gets it once it subscribes, and only once
    const a = await h.createJob({ ref: 'Late listener', stops: [{ lat: 52.51, lon: -1.9 }] });
    await h.assignJob({ id: a.id, vehicleId: 'VAN-4' });
    const van4 = await device(service.brokerUrl, 'VAN-4', c4.secret);
    await waitFor(async () => ((await h.getJob({ id: a.id })).job.delivery === 'delivered' ? true : null), 'delivered after it subscribed', 10_000);
    // a persistent session: gone while a second job is sent, back later — the broker hands it over, once
    await van4.client.endAsync();
    const b = await h.createJob({ ref: 'While away', stops: [{ lat: 52.52, lon: -1.9 }] });
    await h.assignJob({ id: b.id, vehicleId: 'VAN-4' });
    const back = await device(service.brokerUrl, 'VAN-4', c4.secret);
    await waitFor(async () => ((await h.getJob({ id: b.id })).job.delivery === 'delivered' ? true : null), 'the second job delivered on return', 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // past the resend a subscription may trigger
    const all = [...van4.received, ...back.received].filter((m) => m.type === 'job').map((m) => m.job_id);
    expect(all.sort()).toEqual([a.id, b.id].sort());

    // VAN-5 answering for VAN-4's job, or in VAN-4's name, or to its own downlink
    const van5 = await device(service.brokerUrl, 'VAN-5', c5.secret);
    await van5.answer({ job_id: a.id, status: 'accepted' });
    // the broker drops a connection that publishes where it may not (MQTT 3.1.1 has no refusal): one try each
    const forbidden = async (topic: string, body: unknown) => {
      const c = await mqtt.connectAsync(service.brokerUrl, { clientId: 'VAN-5/x', username: 'VAN-5', password: c5.secret, reconnectPeriod: 0 });
      onCleanup(() => c.endAsync(true));
      await Promise.race([c.publishAsync(topic, JSON.stringify(body), { qos: 1 }).catch(() => undefined), new Promise<void>((r) => c.once('close', () => r()))]);
    };
    await forbidden('fleet/VAN-4/jobs/ack', { job_id: a.id, status: 'accepted' });
    await forbidden('fleet/VAN-5/jobs', { type: 'job', job_id: 999 });
    await back.answer({ job_id: b.id, status: 'maybe' });
    await back.client.publishAsync('fleet/VAN-4/jobs/ack', '{not json', { qos: 1 });
    await waitFor(async () => ((await h.listDeadLetters({})).filter((d) => d.source === 'jobs').length >= 3 ? true : null), 'three dead letters');
    const reasons = (await h.listDeadLetters({})).filter((d) => d.source === 'jobs').map((d) => d.reason);
    expect(reasons).toEqual(expect.arrayContaining([`job ${a.id} is not assigned to VAN-5`, expect.stringContaining('status must be one of'), 'answer is not JSON']));
    expect(reasons).toHaveLength(3);
    // the broker refused the other two publishes outright: VAN-4's job is still only offered
    expect((await h.getJob({ id: a.id })).job.status).toBe('offered');
    const refusals = (await h.getBrokerSecurity({})).refusals.last.filter((r) => r.who === 'VAN-5').map((r) => r.reason);
    expect(refusals.sort()).toEqual(['publish not allowed: fleet/VAN-4/jobs/ack', 'publish not allowed: fleet/VAN-5/jobs']);
    // VAN-4 turns the second job down: it can go to another vehicle
    await back.answer({ job_id: b.id, status: 'rejected', reason: 'van full' });
    await waitFor(async () => ((await h.getJob({ id: b.id })).job.status === 'rejected' ? true : null), 'rejected');
    expect((await h.getJob({ id: b.id })).timeline.at(-1)).toMatchObject({ what: 'rejected', detail: 'van full' });
    const again = (await h.assignJob({ id: b.id, vehicleId: 'VAN-5' })) as Job;
    expect(again).toMatchObject({ status: 'offered', vehicleId: 'VAN-5' });
  });

  it('a stop that is a geofence arrives and leaves by the engine (its entry delay), a dispatcher settles a stop on the phone, and the vehicle history shows the job', async () => {
    const { service } = await startService();
    const h = service.handlers;
    const pub = await publisher(service.brokerUrl);
    const T0 = Date.now() - 600_000;
    const fix = (lat: number, lon: number, tsMs: number) => pub.publishAsync('fleet/VAN-7/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-7', lat, lon, speed_kmh: 10, timestamp: tsMs })), { qos: 1 });
    // a yard of about 220 × 340 m round 52.60, -1.80; crossings count after 20 s (the fence's entry delay)
    const yard = await h.saveGeofence({ name: 'Yard B', category: 'depot', geometry: { type: 'Polygon', coordinates: [[[-1.8015, 52.599], [-1.7985, 52.599], [-1.7985, 52.601], [-1.8015, 52.601], [-1.8015, 52.599]]] }, rules: { entryDelayS: 20 } });
    await fix(52.59, -1.8, T0);
    await waitFor(async () => ((await h.listVehicles({})).length === 1 ? true : null), 'VAN-7 reported');

    const job = await h.createJob({ ref: 'Yard pickup', stops: [{ kind: 'pickup', fenceId: yard.id }, { kind: 'dropoff', name: 'Shop', lat: 52.62, lon: -1.8 }] });
    expect(job.stops[0]).toMatchObject({ name: 'Yard B', fenceId: yard.id });
    expect(job.stops[0]!.lat).toBeCloseTo(52.6, 5);
    expect(job.stops[0]!.lon).toBeCloseTo(-1.8, 5);
    await expect(h.createJob({ ref: 'x', stops: [{ fenceId: 'no-such-fence' }] })).rejects.toThrow('Stop 1: there is no geofence no-such-fence.');
    await expect(h.createJob({ ref: 'x', stops: [{ name: 'nowhere' }] })).rejects.toThrow('Stop 1: give its position (lat, lon) or a geofence.');
    // a CSV names the fence as dispatchers know it
    const r = await h.importJobsCsv({ text: 'ref,kind,fence,lat,lon\nFrom CSV,pickup,yard b,,\nLost,dropoff,Yard Z,,\n' });
    expect(r).toEqual({ imported: 1, errors: ['job from line 3: Stop 1: there is no geofence Yard Z.'] });
    expect((await h.listJobs({})).find((j) => j.ref === 'From CSV')!.stops[0]).toMatchObject({ fenceId: yard.id, name: 'Yard B' });

    const { secret } = await h.createDeviceCredential({ vehicleId: 'VAN-7' });
    const van7 = await device(service.brokerUrl, 'VAN-7', secret);
    await h.assignJob({ id: job.id, vehicleId: 'VAN-7' });
    await waitFor(() => (van7.received.length ? true : null), 'the job at the device');
    await van7.answer({ job_id: job.id, status: 'accepted' });
    await waitFor(async () => ((await h.getJob({ id: job.id })).job.status === 'accepted' ? true : null), 'accepted');

    // in at t1; 10 s later still waiting out the entry delay (a circle stop would have arrived then); 25 s: arrived, since t1
    const t1 = T0 + 120_000;
    await fix(52.595, -1.8, t1 - 30_000);
    await fix(52.6, -1.8, t1);
    await fix(52.6001, -1.8, t1 + 10_000);
    await fix(52.6002, -1.8, t1 + 25_000);
    await waitFor(async () => ((await h.getJob({ id: job.id })).job.status === 'arrived' ? true : null), 'arrived in the yard');
    let j = await h.getJob({ id: job.id });
    expect(j.job.stops[0]).toMatchObject({ status: 'arrived', arrivedMs: t1 });
    expect(j.timeline.find((e) => e.what === 'arrived')).toMatchObject({ tsMs: t1 + 25_000, stopSeq: 1, detail: 'at Yard B (entered the geofence)', vehicleId: 'VAN-7' });
    // out, and out for the delay: the stop is done when it left
    await fix(52.597, -1.8, t1 + 60_000);
    await fix(52.594, -1.8, t1 + 85_000);
    await waitFor(async () => ((await h.getJob({ id: job.id })).job.nextStopSeq === 2 ? true : null), 'on to the shop');
    j = await h.getJob({ id: job.id });
    expect(j.job).toMatchObject({ status: 'en_route', stops: [{ status: 'done', departedMs: t1 + 60_000 }, { status: 'pending' }] });

    // the driver phones: the shop was closed. A failure needs its reason; the job ends with what was done
    await expect(h.settleStop({ id: job.id, seq: 2, outcome: 'failed' })).rejects.toThrow('Say why the stop failed');
    await expect(h.settleStop({ id: job.id, seq: 3, outcome: 'done' })).rejects.toThrow(`Job ${job.id} has no stop 3.`);
    const settled = await h.settleStop({ id: job.id, seq: 2, outcome: 'failed', reason: 'Shop closed' });
    expect(settled).toMatchObject({ status: 'done', stops: [{ status: 'done' }, { status: 'failed', failedReason: 'Shop closed' }] });
    await expect(h.settleStop({ id: job.id, seq: 2, outcome: 'done' })).rejects.toThrow(`Job ${job.id} is done: its stops are settled.`);
    // the device hears it, so its list matches
    await waitFor(() => (van7.received.some((m) => m.type === 'stop_settled') ? true : null), 'the settled stop at the device');
    expect(van7.received.find((m) => m.type === 'stop_settled')).toEqual({ type: 'stop_settled', job_id: job.id, stop: 2, status: 'failed', reason: 'Shop closed' });

    // VAN-7's history holds the job, from its offer on, with the stops' places
    const [hist] = await h.getHistory({ vehicleIds: ['VAN-7'], fromMs: T0 - 60_000, toMs: Date.now() + 1000 });
    expect(hist!.jobEvents.map((e) => `${e.what}${e.stopSeq ? ` ${e.stopSeq}` : ''}`)).toEqual(
      expect.arrayContaining(['offered', 'accepted', 'en_route 1', 'arrived 1', 'departed 1', 'en_route 2', 'stop_failed 2', 'done']),
    );
    expect(hist!.jobEvents.every((e) => e.jobId === job.id && e.ref === 'Yard pickup' && e.vehicleId === 'VAN-7')).toBe(true);
    expect(hist!.jobEvents.find((e) => e.what === 'arrived')).toMatchObject({ stopName: 'Yard B', tsMs: t1 + 25_000 });
    expect(hist!.jobEvents.find((e) => e.what === 'stop_failed')).toMatchObject({ stopName: 'Shop', lat: 52.62, lon: -1.8, detail: 'Shop closed' });
    // another vehicle's history does not
    expect((await h.getHistory({ vehicleIds: ['VAN-8'], fromMs: T0 - 60_000, toMs: Date.now() + 1000 }))[0]!.jobEvents).toEqual([]);
  });

  it('refuses impossible jobs and reads a CSV of stops, saying which lines it refused', async () => {
    const { service } = await startService();
    const h = service.handlers;
    await expect(h.createJob({ ref: 'x', stops: [{ lat: 52.5, lon: -1.9, windowStartMs: 2000, windowEndMs: 1000 }] })).rejects.toThrow('Stop 1: its time window ends before it starts.');
    await expect(h.assignJob({ id: 999, vehicleId: 'VAN-1' })).rejects.toThrow('Job 999 does not exist.');
    const csv = [
      'ref,kind,name,lat,lon,radius_m,window_start,window_end,priority',
      'Acme,pickup,Yard,52.5,-1.9,100,2026-12-02T09:00:00Z,2026-12-02T10:00:00Z,high',
      'Acme,dropoff,Shop,52.52,-1.95,,,,high',
      'Bolt,service,,52.6,-1.8,,,,',
      'Bad,dropoff,,95,-1.8,,,,',
      'Worse,teleport,,52.6,-1.8,,,,',
      'Zone,dropoff,,52.6,-1.8,,2026-12-02T09:00:00,,',
    ].join('\n');
    const r = await h.importJobsCsv({ text: csv });
    expect(r.imported).toBe(2);
    expect(r.errors).toEqual(['line 5: impossible position 95, -1.8', 'line 6: kind must be one of pickup, dropoff, service', 'line 7: window_start "2026-12-02T09:00:00" is not a time with its zone (e.g. 2026-12-02T09:00:00Z)']);
    const jobs = await h.listJobs({});
    const acme = jobs.find((j) => j.ref === 'Acme')!;
    expect(acme).toMatchObject({ priority: 'high', stops: [{ seq: 1, kind: 'pickup', name: 'Yard', radiusM: 100, windowStartMs: Date.parse('2026-12-02T09:00:00Z') }, { seq: 2, name: 'Shop', radiusM: 150 }] });
    expect(jobs.find((j) => j.ref === 'Bolt')!.stops[0]).toMatchObject({ kind: 'service', name: 'Stop 1' });
  });

  it('carries text messages both ways with delivered and read receipts, counts unread ones, and dead-letters bad uplinks', async () => {
    const { service } = await startService();
    const h = service.handlers;
    const pub = await publisher(service.brokerUrl);
    await pub.publishAsync('fleet/VAN-7/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-7', timestamp: Date.now() - 3000 })), { qos: 1 });
    await waitFor(async () => ((await h.listVehicles({})).length === 1 ? true : null), 'VAN-7');
    const { secret } = await h.createDeviceCredential({ vehicleId: 'VAN-7' });
    const dev = await mqtt.connectAsync(service.brokerUrl, { clientId: 'VAN-7', username: 'VAN-7', password: secret, clean: false });
    onCleanup(() => dev.endAsync(true));
    const got: { message_id: number; text: string; replies: string[] }[] = [];
    dev.on('message', (_t, p) => got.push(JSON.parse(String(p))));
    await dev.subscribeAsync('fleet/VAN-7/messages', { qos: 1 });
    const events: string[] = [];
    service.on('messageUpdated', (m) => events.push(`${m.direction} ${m.id} ${m.state}`));

    const sent = await h.sendMessage({ vehicleId: 'VAN-7', text: 'Gate code is 4411' });
    expect(sent).toMatchObject({ direction: 'down', state: 'sent', text: 'Gate code is 4411', by: 'dispatcher' });
    await waitFor(() => (got.length ? true : null), 'the message at the device');
    expect(got[0]).toMatchObject({ message_id: sent.id, text: 'Gate code is 4411', replies: ['OK', 'On my way', 'Running late', 'Call me'] });
    await waitFor(async () => ((await h.listMessages({ vehicleId: 'VAN-7' }))[0]!.state === 'delivered' ? true : null), 'delivered (the device acknowledged it)');
    const up = (m: unknown) => dev.publishAsync('fleet/VAN-7/messages/up', typeof m === 'string' ? m : JSON.stringify(m), { qos: 1 });
    await up({ type: 'receipt', message_id: sent.id, status: 'read' });
    await up({ type: 'receipt', message_id: sent.id, status: 'delivered' }); // late: changes nothing
    await up({ type: 'message', text: 'On my way', reply_to: sent.id });
    await waitFor(async () => ((await h.getUnreadMessages({})).total === 1 ? true : null), 'one unread from the driver');
    expect(await h.getUnreadMessages({})).toEqual({ total: 1, byVehicle: { 'VAN-7': 1 } });
    const convo = await h.listMessages({ vehicleId: 'VAN-7' });
    expect(convo.map((m) => `${m.direction} ${m.state} ${m.text}`)).toEqual(['down read Gate code is 4411', 'up received On my way']);
    expect(await h.markMessagesRead({ vehicleId: 'VAN-7' })).toEqual({ read: 1 });
    expect((await h.getUnreadMessages({})).total).toBe(0);
    expect(events).toEqual([`down ${sent.id} sent`, `down ${sent.id} delivered`, `down ${sent.id} read`, `up ${sent.id + 1} received`, `up ${sent.id + 1} read`]);

    await up('{oops');
    await up({ type: 'receipt', message_id: 999, status: 'read' });
    await up({ type: 'message', text: '   ' });
    await waitFor(async () => ((await h.listDeadLetters({})).filter((d) => d.source === 'messages').length === 3 ? true : null), 'three dead letters');
    expect((await h.listDeadLetters({})).filter((d) => d.source === 'messages').map((d) => d.reason).sort()).toEqual(['a message needs "text"', 'message 999 was not sent to VAN-7', 'message is not JSON']);
    await expect(h.sendMessage({ vehicleId: 'NOBODY', text: 'hi' })).rejects.toThrow('Vehicle NOBODY has not reported yet.');
  });

  it('raises a late warning when the live ETA passes a stop’s window, resolves it on arrival, and a missed window as critical', async () => {
    const { service } = await startService();
    const h = service.handlers;
    const pub = await publisher(service.brokerUrl);
    const T0 = Date.now() - 300_000;
    const fix = (lat: number, tsMs: number, speed = 30) => pub.publishAsync('fleet/VAN-8/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-8', lat, lon: -1.9, speed_kmh: speed, timestamp: tsMs })), { qos: 1 });
    await fix(52.608, T0); // ~12 km from the stops: ~25 min at town speeds
    await waitFor(async () => ((await h.listVehicles({})).length === 1 ? true : null), 'VAN-8');
    const { secret } = await h.createDeviceCredential({ vehicleId: 'VAN-8' });
    const dev = await device(service.brokerUrl, 'VAN-8', secret);
    const now = Date.now();
    const late = await h.createJob({ ref: 'Tight slot', stops: [{ name: 'Shop', lat: 52.5, lon: -1.9, windowStartMs: now - 60_000, windowEndMs: now + 3 * 60_000 }] });
    const missed = await h.createJob({ ref: 'Too late', stops: [{ name: 'Bank', lat: 52.49, lon: -1.9, windowStartMs: now - 30 * 60_000, windowEndMs: now - 60_000 }] });
    for (const j of [late, missed]) {
      await h.assignJob({ id: j.id, vehicleId: 'VAN-8' });
      await dev.answer({ job_id: j.id, status: 'accepted' });
    }
    const open = async (type: 'job_late' | 'job_missed') => (await h.listAlerts({ types: [type], includeAcknowledged: true })).filter((a) => a.resolvedMs === null);
    await waitFor(async () => ((await open('job_late')).length === 1 && (await open('job_missed')).length === 1 ? true : null), 'the late and missed alerts (the clock checks every 5 s)', 15_000);
    const [warn] = await open('job_late');
    expect(warn).toMatchObject({ severity: 'warning', vehicleId: 'VAN-8', fenceName: 'Tight slot · stop 1', message: expect.stringMatching(new RegExp(`^VAN-8 is running late for job #${late.id} Tight slot, stop 1 Shop: ETA \\d+ min after its window`)) });
    const [crit] = await open('job_missed');
    expect(crit).toMatchObject({ severity: 'critical', message: expect.stringContaining(`missed the window of job #${missed.id} Too late, stop 1 Bank`) });
    expect((await h.getJob({ id: late.id })).timeline.map((e) => e.what)).toContain('late_risk');
    // said once: another tick raises nothing new
    await new Promise((r) => setTimeout(r, 5500));
    expect((await h.listAlerts({ types: ['job_late', 'job_missed'], includeAcknowledged: true })).map((a) => a.repeatCount)).toEqual([1, 1]);
    // the vehicle reaches the late stop: its warning resolves by itself
    const t = Date.now() - 30_000;
    await fix(52.5005, t);
    await fix(52.5002, t + 12_000, 0);
    await waitFor(async () => ((await open('job_late')).length === 0 ? true : null), 'the late warning resolved on arrival');
    const resolved = (await h.listAlerts({ types: ['job_late'], includeAcknowledged: true }))[0]!;
    expect(resolved.resolvedBy).toMatch(/arrived/);
    // the other job's missed window stays until a dispatcher acts or the stop is finished
    expect(await open('job_missed')).toHaveLength(1);
    await h.cancelJob({ id: missed.id, reason: 'customer rebooked' });
    await waitFor(async () => ((await open('job_missed')).length === 0 ? true : null), 'missed line resolved with the cancellation');
    // the jobs report: planned vs actual per stop, and each vehicle's share on time
    const ex = await h.startExport({ report: 'jobs', format: 'csv', fromMs: now - 3_600_000, toMs: now + 3_600_000, timeZone: 'UTC' });
    const done = await waitFor(() => (service.exports.get(ex.jobId)?.state === 'done' ? service.exports.get(ex.jobId) : null), 'the jobs report');
    const dl = service.exports.takeDownload(done.jobId, done.fileName)!;
    const lines = readFileSync(dl.file, 'utf8').trim().split(/\r?\n/);
    dl.done();
    expect(lines[0]!.replace(/^\uFEFF/, '')).toBe('Job,Customer or place,Vehicle,Driver,Stop,Stop name,Kind,Window from (UTC),Window to (UTC),Arrived (UTC),Done (UTC),On time,Late min,Stop status,Job status');
    expect(lines.find((l) => l.startsWith(`${late.id},Tight slot,VAN-8,`))).toMatch(/,1,Shop,dropoff,[^,]+,[^,]+,[^,]+,,yes,,arrived,arrived$/);
    expect(lines.find((l) => l.startsWith(`${missed.id},Too late,`))).toMatch(/,1,Bank,dropoff,[^,]+,[^,]+,,,,,pending,cancelled$/);
    expect(lines).toContain(',Vehicle VAN-8: 100 % on time (1 of 1 judged; 2 stops),,,,,,,,,,,,,');
  });

  it('an offer nobody answers in time is said: "no answer" on the job and an alert, resolved when the device answers', async () => {
    const { service } = await startService({ jobAnswerMs: 1000 });
    const h = service.handlers;
    const pub = await publisher(service.brokerUrl);
    await pub.publishAsync('fleet/VAN-9/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-9', timestamp: Date.now() - 2000 })), { qos: 1 });
    await waitFor(async () => ((await h.listVehicles({})).length === 1 ? true : null), 'VAN-9');
    const { secret } = await h.createDeviceCredential({ vehicleId: 'VAN-9' });
    const dev = await device(service.brokerUrl, 'VAN-9', secret);
    const job = await h.createJob({ ref: 'Quiet van', stops: [{ lat: 52.5, lon: -1.9 }] });
    await h.assignJob({ id: job.id, vehicleId: 'VAN-9' });
    const open = async () => (await h.listAlerts({ types: ['job_no_answer'], includeAcknowledged: true })).filter((a) => a.resolvedMs === null);
    await waitFor(async () => ((await open()).length === 1 ? true : null), 'the no-answer alert (the clock checks every 5 s)', 15_000);
    expect((await open())[0]).toMatchObject({ severity: 'warning', vehicleId: 'VAN-9', message: `VAN-9 has not answered job #${job.id} Quiet van within 1 s: call the driver or give it to another vehicle` });
    expect((await h.getJob({ id: job.id })).job.delivery).toBe('no_answer');
    await dev.answer({ job_id: job.id, status: 'accepted' });
    await waitFor(async () => ((await open()).length === 0 ? true : null), 'resolved by the answer');
    expect((await h.getJob({ id: job.id })).job).toMatchObject({ status: 'accepted', delivery: 'answered' });
  });
});
