// A depot that held data before its link to headquarters was turned on (or whose headquarters lost its
// database) sends it on demand: fixes, alerts, jobs — since a time the admin chooses. Headquarters stores
// each once, however often it is asked.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { requireTool, startMosquitto, telemetry, waitFor } from './helpers';
import { onCleanup, publisher, startService } from './service-helpers';

describe.runIf(requireTool('mosquitto'))('sending headquarters what a depot committed before', () => {
  it('sends, on demand, everything since a time, once at headquarters', async () => {
    const upstream = await startMosquitto();
    onCleanup(() => upstream.stop());
    const hqRun = await startService({ federation: { headquarters: { broker: { url: upstream.url } } } });
    const h = hqRun.service.handlers;
    await waitFor(async () => ((await h.getFederation({})).connected ? true : null), 'headquarters on the depots broker');
    const hqRows = () => {
      const db = new Database(hqRun.dbFile, { readonly: true });
      try {
        return db.prepare(`SELECT vehicle_id, ts_ms FROM telemetry ORDER BY ts_ms`).all() as { vehicle_id: string; ts_ms: number }[];
      } finally {
        db.close();
      }
    };

    // the depot works alone for an hour: fixes, a trouble-code alert (cleared by the next fix), a job
    const { service: depot } = await startService();
    const d = depot.handlers;
    await expect(d.forwardAgainSince({ sinceMs: Date.now() - 3_600_000 })).rejects.toThrow('does not forward to headquarters');
    const pub = await publisher(depot.brokerUrl);
    const t0 = Date.now() - 3_000_000;
    for (let i = 0; i < 3; i++) await pub.publishAsync('fleet/W-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'W-1', timestamp: t0 + i * 60_000, hdop: 0.9, dtc_codes: i === 2 ? ['P0301'] : [] })), { qos: 1 });
    await waitFor(async () => ((await d.listAlerts({})).some((a) => a.type === 'dtc') ? true : null), 'the trouble-code alert at the depot');
    await d.createJob({ ref: 'Before the link', stops: [{ lat: 52.4, lon: -1.8 }] });

    // the link on: from now on only
    await d.setUpstream({ enabled: true, depotId: 'west', url: upstream.url });
    await pub.publishAsync('fleet/W-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'W-1', timestamp: Date.now() - 1000, hdop: 0.9 })), { qos: 1 });
    await waitFor(() => (hqRows().length === 1 ? true : null), 'the first fix after the link at headquarters');
    expect(await h.listJobs({})).toEqual([]);

    // the admin sends everything since two hours ago: the hour before the link arrives, once
    const queued = await d.forwardAgainSince({ sinceMs: Date.now() - 7_200_000 });
    expect(queued.telemetryRows).toBe(4);
    expect(queued.changes).toBeGreaterThanOrEqual(2);
    await waitFor(() => (hqRows().length === 4 ? true : null), 'the earlier fixes at headquarters');
    await waitFor(async () => ((await h.listJobs({})).length === 1 ? true : null), 'the earlier job at headquarters');
    await waitFor(async () => ((await h.listAlerts({ includeAcknowledged: true })).some((a) => a.type === 'dtc' && a.depotId === 'west' && a.resolvedBy === 'FleetDesk: trouble codes cleared') ? true : null), 'the earlier alert at headquarters');
    expect(hqRows().map((r) => r.ts_ms).slice(0, 3)).toEqual([t0, t0 + 60_000, t0 + 120_000]);

    // asked again (or a narrower window): nothing doubles
    await d.forwardAgainSince({ sinceMs: Date.now() - 7_200_000 });
    await waitFor(async () => ((await d.getFederation({})).backlogRows === 0 ? true : null), 'the depot caught up again');
    expect(hqRows()).toHaveLength(4);
    expect(await h.listJobs({})).toHaveLength(1);
    expect((await h.listAlerts({ includeAcknowledged: true })).filter((a) => a.type === 'dtc')).toHaveLength(1);
  });
});
