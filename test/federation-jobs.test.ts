// A depot's dispatching reaches headquarters: jobs (each change — offered, accepted, a stop done — with its
// stops and timeline) and the conversation with drivers, through a real mosquitto between two services.
// Headquarters shows them as the depot has them and refuses to act on them: the depot owns its work.
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { requireTool, startMosquitto, telemetry, waitFor } from './helpers';
import { onCleanup, publisher, startService } from './service-helpers';

describe.runIf(requireTool('mosquitto'))('a depot’s jobs and driver messages at headquarters', () => {
  it('arrive with every change, stored once, read-only at headquarters', async () => {
    const upstream = await startMosquitto();
    onCleanup(() => upstream.stop());
    const hq = (await startService({ federation: { headquarters: { broker: { url: upstream.url } } } })).service;
    await waitFor(async () => ((await hq.handlers.getFederation({})).connected ? true : null), 'headquarters on the depots broker');
    const depot = (await startService({ federation: { depot: { depotId: 'north', upstream: { url: upstream.url } } } })).service;
    const d = depot.handlers;
    const h = hq.handlers;

    // a vehicle of the depot reports; its device (logged in with its own secret) answers
    const pub = await publisher(depot.brokerUrl);
    const { secret } = await d.createDeviceCredential({ vehicleId: 'N-1' });
    const device = await mqtt.connectAsync(depot.brokerUrl, { clientId: 'N-1', username: 'N-1', password: secret, reconnectPeriod: 0 });
    onCleanup(() => device.endAsync(true));
    await pub.publishAsync('fleet/N-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'N-1', timestamp: Date.now() - 1000, lat: 52.48, lon: -1.89 })), { qos: 1 });
    await waitFor(async () => ((await d.listVehicles({})).length === 1 ? true : null), 'N-1 at the depot');

    const job = await d.createJob({ ref: 'Bakery Hall Green', stops: [{ lat: 52.43, lon: -1.84, name: 'Hall Green' }, { lat: 52.45, lon: -1.86, name: 'Moseley' }] });
    await d.assignJob({ id: job.id, vehicleId: 'N-1' });
    await device.publishAsync('fleet/N-1/jobs/ack', JSON.stringify({ job_id: job.id, status: 'accepted' }), { qos: 1 });
    await device.publishAsync('fleet/N-1/messages/up', JSON.stringify({ type: 'message', text: 'Stuck at the lights on Stratford Road' }), { qos: 1 });
    await waitFor(async () => ((await d.getUnreadMessages({})).total === 1 ? true : null), 'the driver’s text at the depot');
    await d.sendMessage({ vehicleId: 'N-1', text: 'Thanks, take your time' });

    // headquarters: the job as the depot has it, with its stops and timeline, and the conversation
    const atHq = await waitFor(async () => {
      const jobs = await h.listJobs({});
      return jobs.length === 1 && jobs[0]!.status === 'accepted' ? jobs[0]! : null;
    }, 'the accepted job at headquarters');
    expect(atHq).toMatchObject({ ref: 'Bakery Hall Green', depotId: 'north', vehicleId: 'N-1', status: 'accepted', nextStopSeq: 1 });
    expect(atHq.stops.map((s) => [s.seq, s.name, s.status])).toEqual([
      [1, 'Hall Green', 'pending'],
      [2, 'Moseley', 'pending'],
    ]);
    const messages = await waitFor(async () => {
      const xs = await h.listMessages({ vehicleId: 'N-1' });
      return xs.length === 2 ? xs : null;
    }, 'the conversation at headquarters');
    expect(messages.map((m) => [m.direction, m.text])).toEqual([
      ['up', 'Stuck at the lights on Stratford Road'],
      ['down', 'Thanks, take your time'],
    ]);
    // the driver's text is the depot's to read: headquarters counts nothing unread
    expect((await h.getUnreadMessages({})).total).toBe(0);
    expect((await d.getUnreadMessages({})).total).toBe(1);

    // headquarters does not dispatch the depot's work, nor write to its drivers
    await expect(h.assignJob({ id: atHq.id, vehicleId: 'N-1' })).rejects.toThrow('belongs to depot north');
    await expect(h.cancelJob({ id: atHq.id, reason: 'test' })).rejects.toThrow('belongs to depot north');
    await expect(h.settleStop({ id: atHq.id, seq: 1, outcome: 'done' })).rejects.toThrow('belongs to depot north');
    await expect(h.sendMessage({ vehicleId: 'N-1', text: 'from HQ' })).rejects.toThrow('reports through depot north');
    const own = await h.createJob({ ref: 'HQ errand', stops: [{ lat: 52.5, lon: -1.9 }] });
    expect(own.depotId).toBeNull();
    await expect(h.assignJob({ id: own.id, vehicleId: 'N-1' })).rejects.toThrow('N-1 reports through depot north: give it work there');

    // the depot works on: each change arrives and replaces what headquarters had (the same job there)
    await d.settleStop({ id: job.id, seq: 1, outcome: 'done' });
    await d.settleStop({ id: job.id, seq: 2, outcome: 'failed', reason: 'closed for refit' });
    const done = await waitFor(async () => {
      const j = (await h.listJobs({})).find((x) => x.depotId === 'north');
      return j?.status === 'done' ? j : null;
    }, 'the finished job at headquarters');
    expect(done.id).toBe(atHq.id);
    expect(done.stops.map((s) => [s.status, s.failedReason])).toEqual([
      ['done', null],
      ['failed', 'closed for refit'],
    ]);
    const depotTimeline = (await d.getJob({ id: job.id })).timeline;
    const hqTimeline = (await h.getJob({ id: atHq.id })).timeline;
    expect(hqTimeline.map((e) => [e.what, e.by, e.detail, e.tsMs, e.vehicleId, e.stopSeq])).toEqual(depotTimeline.map((e) => [e.what, e.by, e.detail, e.tsMs, e.vehicleId, e.stopSeq]));
    expect(hqTimeline.map((e) => e.what)).toEqual(expect.arrayContaining(['planned', 'offered', 'accepted', 'stop_done', 'stop_failed', 'done']));
    // the job's line of history at headquarters, on the vehicle's own History
    const [history] = await h.getHistory({ vehicleIds: ['N-1'], fromMs: Date.now() - 3_600_000, toMs: Date.now() + 1000 });
    expect(history!.jobEvents.map((e) => e.what)).toEqual(expect.arrayContaining(['offered', 'accepted', 'stop_done', 'stop_failed', 'done']));
    // once each: one job row, its stops and timeline not doubled, two messages
    expect((await h.listJobs({})).filter((j) => j.depotId === 'north')).toHaveLength(1);
    expect(await h.listMessages({ vehicleId: 'N-1' })).toHaveLength(2);
  });
});
