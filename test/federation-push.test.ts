// Headquarters pushes its rules and fences to a depot through a real mosquitto: the depot runs them as a
// version it shows, keeps which of its vehicles is which class and the classes only it defines, applies a
// version once (a local change since stays through a reconnection), and refuses to edit a fence that came
// from headquarters — it is changed there.
import { describe, expect, it } from 'vitest';
import { requireTool, startMosquitto, telemetry, waitFor } from './helpers';
import { onCleanup, publisher, startService } from './service-helpers';

describe.runIf(requireTool('mosquitto'))('rules and fences from headquarters', () => {
  it('a depot runs headquarters’ rules as a version, keeping its own vehicle classes; pushed fences are edited at headquarters only', async () => {
    const upstream = await startMosquitto();
    onCleanup(() => upstream.stop());
    const hq = (await startService({ federation: { headquarters: { broker: { url: upstream.url } } } })).service;
    await waitFor(async () => ((await hq.handlers.getFederation({})).connected ? true : null), 'headquarters on the depots broker');
    const first = await startService({ federation: { depot: { depotId: 'north', upstream: { url: upstream.url } } } });
    const d = first.service.handlers;
    const h = hq.handlers;
    await expect(h.pushRules({ depotIds: ['north'] })).rejects.toThrow('No depot north has reported here');

    // the depot's own rules: N-1 is a truck, with a class only the depot defines
    const own = await d.getRuleSettings({});
    await d.saveRuleSettings({ ...own, engine: { ...own.engine, classes: { ...own.engine.classes, truck: { speedLimitKmh: 80 } }, vehicleClass: { 'N-1': 'truck' }, lowFuelPct: 15 } });
    // it reports, so headquarters knows it
    const pub = await publisher(first.service.brokerUrl);
    await pub.publishAsync('fleet/N-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'N-1', timestamp: Date.now() - 1000 })), { qos: 1 });
    await waitFor(async () => ((await h.listDepots({})).some((x) => x.id === 'north') ? true : null), 'north known at headquarters');

    // headquarters' rules: a default speed limit, a van class, low fuel, a severity and a penalty
    const hqRules = await h.getRuleSettings({});
    await h.saveRuleSettings({
      engine: { ...hqRules.engine, classes: { ...hqRules.engine.classes, default: { ...hqRules.engine.classes['default'], speedLimitKmh: 100 }, van: { speedLimitKmh: 90 } }, vehicleClass: { 'HQ-1': 'van' }, lowFuelPct: 12 },
      alerts: { ...hqRules.alerts, offlineAfterMin: 7 },
      penalties: { ...hqRules.penalties, harsh_brake: 9 },
    });
    expect(await h.pushRules({ depotIds: ['north'] })).toEqual([{ depotId: 'north', version: 1 }]);
    const status = await waitFor(async () => {
      const f = await d.getFederation({});
      return f.pushedRules?.version === 1 ? f : null;
    }, 'version 1 of the rules at the depot');
    expect(status.pushedRules!.by).toBeTruthy();
    const merged = await d.getRuleSettings({});
    expect(merged.engine.lowFuelPct).toBe(12);
    expect(merged.engine.classes['default']!.speedLimitKmh).toBe(100);
    expect(merged.engine.classes['van']).toEqual({ speedLimitKmh: 90 });
    // its own: which vehicle is which class, and the class only it defines
    expect(merged.engine.vehicleClass).toEqual({ 'N-1': 'truck' });
    expect(merged.engine.classes['truck']).toEqual({ speedLimitKmh: 80 });
    expect(merged.alerts.offlineAfterMin).toBe(7);
    expect(merged.penalties.harsh_brake).toBe(9);
    expect((await h.listDepots({})).find((x) => x.id === 'north')!.pushedRules).toMatchObject({ version: 1 });

    // a fence from headquarters: the depot runs it and refuses to change or delete it; its own stay editable
    const gate = await h.saveGeofence({ name: 'HQ gate', category: 'depot', geometry: { type: 'Circle', center: [-1.89, 52.48], radiusM: 120 } });
    await h.pushFences({ depotIds: ['north'] });
    await waitFor(async () => ((await d.listGeofences({})).some((f) => f.id === gate.id) ? true : null), 'the pushed fence at the depot');
    await expect(d.saveGeofence({ id: gate.id, name: 'Renamed', category: 'depot', geometry: { type: 'Circle', center: [-1.89, 52.48], radiusM: 200 } })).rejects.toThrow('HQ gate comes from headquarters (version 1');
    await expect(d.deleteGeofence({ id: gate.id })).rejects.toThrow('it is deleted there');
    const yard = await d.saveGeofence({ name: 'North yard', category: 'depot', geometry: { type: 'Circle', center: [-1.8, 52.5], radiusM: 80 } });
    expect((await d.deleteGeofence({ id: yard.id })).deleted).toBe(true);

    // a local change after the push holds through a restart (the retained version 1 comes again, applied once) …
    const local = await d.getRuleSettings({});
    await d.saveRuleSettings({ ...local, engine: { ...local.engine, lowFuelPct: 20 } });
    await first.service.stop();
    const again = await startService({ dbFile: first.dbFile, federation: { depot: { depotId: 'north', upstream: { url: upstream.url } } } });
    await waitFor(async () => ((await again.service.handlers.getFederation({})).connected ? true : null), 'the depot back on the upstream broker');
    // a new fence version sent now reaches the depot after the retained rules its subscription brought back
    await h.pushFences({ depotIds: ['north'] });
    await waitFor(async () => ((await again.service.handlers.getFederation({})).pushedFences?.version === 2 ? true : null), 'fences version 2 at the depot');
    expect((await again.service.handlers.getRuleSettings({})).engine.lowFuelPct).toBe(20);
    // … until headquarters sends the next version
    expect(await h.pushRules({ depotIds: ['north'] })).toEqual([{ depotId: 'north', version: 2 }]);
    await waitFor(async () => ((await again.service.handlers.getFederation({})).pushedRules?.version === 2 ? true : null), 'version 2 at the depot');
    expect((await again.service.handlers.getRuleSettings({})).engine.lowFuelPct).toBe(12);
  });
});
