// Driver privacy through the real service: a driver's off-duty positions are stored but hidden from the
// live map, history, alerts and exports; a supervisor unlocks them with a password and a reason, and
// both the unlock and each look are in the audit log.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Store } from '../src/main/core/storage/store';
import { telemetry, waitFor } from './helpers';
import { publisher, startService } from './service-helpers';

describe('privacy mode', () => {
  it('hides private positions everywhere until a supervisor unlocks them, and audits it', async () => {
    const { service, dbFile } = await startService();
    const h = service.handlers;
    const t0 = Date.now() - 40 * 60_000;
    const pub = await publisher(service.brokerUrl);
    // VAN-1: DRV-ANA drives 10 min (work), then DRV-PRIV (private) 10 min, then DRV-ANA 10 min and stays in the van
    for (let i = 0; i < 180; i++) {
      const driver = i >= 60 && i < 120 ? 'DRV-PRIV' : 'DRV-ANA';
      await pub.publishAsync('fleet/VAN-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-1', timestamp: t0 + i * 10_000, lat: 52.48, lon: -1.95 + i * 0.0015, speed_kmh: 54, driver_id: driver })), { qos: 1 });
    }
    // VAN-2 is a private company car, always
    await pub.publishAsync('fleet/VAN-2/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-2', timestamp: Date.now() - 1000, lat: 52.5, lon: -1.8, driver_id: 'DRV-CEO' })), { qos: 1 });
    await waitFor(async () => (await h.listVehicles({})).length === 2, 'both vans');
    await waitFor(() => service.stats().telemetryRows === 181, 'all rows stored');

    await h.savePrivacyRule({ kind: 'driver', subjectId: 'DRV-PRIV', schedule: null, note: 'personal use' });
    await h.savePrivacyRule({ kind: 'vehicle', subjectId: 'VAN-2', schedule: null, note: 'company car' });

    // live map: VAN-2's position and driver are withheld, VAN-1 (DRV-ANA now) is shown
    const live = Object.fromEntries((await h.listVehicles({})).map((v) => [v.vehicleId, v]));
    expect(live['VAN-2']).toMatchObject({ hidden: true, last: { lat: 0, lon: 0, driverId: null } });
    expect(live['VAN-1']!.hidden).toBeUndefined();
    expect(live['VAN-1']!.last.driverId).toBe('DRV-ANA');

    // a harsh brake recorded while DRV-PRIV drove: in the score, not in the event list (it has a place)
    // (driving events come from the engine; one is stored here directly)
    const side = new Store(dbFile);
    side.recordEngineOutput({
      alerts: [],
      drivingEvents: [{ type: 'harsh_brake', vehicleId: 'VAN-1', driverId: 'DRV-PRIV', tsMs: t0 + 900_000, startMs: t0 + 900_000, severity: 0.5, value: 4.5, threshold: 3, lat: 52.48, lon: -1.86 }],
    });
    side.close();
    expect(await h.listDrivingEvents({ fromMs: t0, toMs: Date.now() })).toEqual([]);
    expect((await h.getDriverScores({ fromMs: t0 - 1000, toMs: Date.now() })).drivers.find((d) => d.driverId === 'DRV-PRIV')!.events).toBe(1);

    // history: the private stretch is cut out, the two work trips remain
    const q = { vehicleIds: ['VAN-1'], fromMs: t0 - 1000, toMs: Date.now() };
    const [hidden] = await h.getHistory(q);
    expect(hidden!.hiddenPoints).toBe(60);
    expect(hidden!.sourcePoints).toBe(120);
    expect(hidden!.hidden).toEqual([{ fromMs: t0 + 600_000, toMs: t0 + 1_200_000 - 1 }]);
    expect(hidden!.track.every(([ts]) => ts < t0 + 600_000 || ts >= t0 + 1_200_000)).toBe(true);
    expect(hidden!.trips).toHaveLength(2);
    expect(hidden!.unlocked).toBe(false);
    expect(await h.getPointAt({ vehicleId: 'VAN-1', tsMs: t0 + 900_000 })).toBeNull();

    // export: no private rows in the file
    const csv = await exportCsv(service, { report: 'positions', format: 'csv', fromMs: q.fromMs, toMs: q.toMs, vehicleIds: ['VAN-1'], timeZone: 'UTC' });
    expect(csv).not.toContain('DRV-PRIV');
    expect(csv.trim().split('\r\n')).toHaveLength(121);

    // unlock: needs a password set, the right password and a reason
    await expect(h.unlockPrivacy({ password: 'x', reason: 'accident claim 4411' })).rejects.toThrow(/No supervisor password is set/);
    await expect(h.setSupervisorPassword({ next: 'short' })).rejects.toThrow(/at least 8/);
    await h.setSupervisorPassword({ next: 'correct horse battery' });
    await expect(h.setSupervisorPassword({ next: 'another password' })).rejects.toThrow(/current supervisor password is wrong/);
    await expect(h.unlockPrivacy({ password: 'wrong password', reason: 'accident claim 4411' })).rejects.toThrow('Wrong supervisor password.');
    await expect(h.unlockPrivacy({ password: 'correct horse battery', reason: '' })).rejects.toThrow(/Give the reason/);
    const unlock = await h.unlockPrivacy({ password: 'correct horse battery', reason: 'accident claim 4411', by: 'supervisor ben' });
    expect(unlock.untilMs).toBeGreaterThan(Date.now() + 14 * 60_000);

    const [open] = await h.getHistory({ ...q, unlockToken: unlock.token, by: 'supervisor ben' });
    expect(open!.hiddenPoints).toBe(0);
    expect(open!.sourcePoints).toBe(180);
    expect(open!.unlocked).toBe(true);
    expect(open!.trips).toHaveLength(1);
    const full = await exportCsv(service, { report: 'positions', format: 'csv', fromMs: q.fromMs, toMs: q.toMs, vehicleIds: ['VAN-1'], timeZone: 'UTC', unlockToken: unlock.token });
    expect(full).toContain('DRV-PRIV');
    await expect(h.getHistory({ ...q, unlockToken: 'forged' })).rejects.toThrow(/expired/);
    // the replay cursor shows the private point when unlocked; asked for again and again, it is audited once
    for (let i = 0; i < 3; i++) expect((await h.getPointAt({ vehicleId: 'VAN-1', tsMs: t0 + 900_000, unlockToken: unlock.token }))?.point.driverId).toBe('DRV-PRIV');

    const audit = await h.listAudit({});
    const actions = audit.map((a) => a.action);
    expect(actions).toContain('privacy_unlock_refused');
    expect(actions).toContain('privacy_unlock');
    expect(audit.filter((a) => a.action === 'privacy_access').map((a) => JSON.parse(a.detail).via).sort()).toEqual(['export', 'history', 'replay cursor']);
    expect(JSON.parse(audit.find((a) => a.action === 'privacy_access')!.detail).reason).toBe('accident claim 4411');
    expect(audit.find((a) => a.action === 'privacy_unlock')!.actor).toBe('supervisor ben');
    expect(audit.filter((a) => a.action === 'export')).toHaveLength(2);
  });
});

describe('privacy mode holds on every path', () => {
  it('covers a vehicle driven by a private driver through a shift assignment, in the live map, history, exports and dead letters', async () => {
    const { service } = await startService();
    const h = service.handlers;
    const t0 = Date.now() - 20 * 60_000;
    // DRV-PRIV has VAN-5 on shift; the van's telemetry names no driver
    await h.addAssignment({ vehicleId: 'VAN-5', driverId: 'DRV-PRIV', startMs: t0 - 60_000, endMs: null });
    await h.savePrivacyRule({ kind: 'driver', subjectId: 'DRV-PRIV', schedule: null, note: 'personal use' });
    const pub = await publisher(service.brokerUrl);
    for (let i = 0; i < 30; i++) {
      await pub.publishAsync('fleet/VAN-5/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-5', timestamp: t0 + i * 10_000, lat: 52.48, lon: -1.95 + i * 0.0015 })), { qos: 1 });
    }
    // a broken report of the same van: its raw payload would show where it was
    await pub.publishAsync('fleet/VAN-5/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-5', timestamp: 'yesterday', lat: 52.4801, lon: -1.9 })), { qos: 1 });
    await waitFor(() => service.stats().telemetryRows === 30, 'the van’s rows');
    await waitFor(async () => (await h.listDeadLetters({})).length === 1, 'the dead letter');

    expect((await h.listVehicles({})).find((v) => v.vehicleId === 'VAN-5')).toMatchObject({ hidden: true, last: { lat: 0, lon: 0 } });
    const [hist] = await h.getHistory({ vehicleIds: ['VAN-5'], fromMs: t0 - 1000, toMs: Date.now() });
    expect(hist!.hiddenPoints).toBe(30);
    expect(hist!.track).toEqual([]);
    const csv = await exportCsv(service, { report: 'positions', format: 'csv', fromMs: t0 - 1000, toMs: Date.now(), vehicleIds: ['VAN-5'], timeZone: 'UTC' });
    expect(csv.trim().split('\r\n')).toHaveLength(1); // the header only
    const [dead] = await h.listDeadLetters({});
    expect(dead!.payloadText).not.toContain('52.4801');
    expect(dead!.payloadText).toMatch(/hidden: privacy mode/);

    // the shift ends (deleted): the van is the fleet's again
    const [shift] = await h.listAssignments({});
    await h.deleteAssignment({ id: shift!.id });
    expect((await h.listVehicles({})).find((v) => v.vehicleId === 'VAN-5')!.hidden).toBeUndefined();
    expect((await h.listDeadLetters({}))[0]!.payloadText).toContain('52.4801');
  });

  it('lets only a supervisor change or remove a privacy rule, and audits both', async () => {
    const { service } = await startService();
    const h = service.handlers;
    const rule = await h.savePrivacyRule({ kind: 'vehicle', subjectId: 'VAN-2', schedule: null, note: 'company car' });
    await expect(h.deletePrivacyRule({ id: rule.id })).rejects.toThrow(/No supervisor password is set/);
    await h.setSupervisorPassword({ next: 'correct horse battery' });
    await expect(h.deletePrivacyRule({ id: rule.id })).rejects.toThrow('The supervisor password is needed to remove a privacy rule.');
    await expect(h.deletePrivacyRule({ id: rule.id, supervisorPassword: 'guess' })).rejects.toThrow('Wrong supervisor password.');
    const narrowed = { ...rule, schedule: { days: [0], startMin: 0, endMin: 60, timeZone: 'UTC' } };
    await expect(h.savePrivacyRule(narrowed)).rejects.toThrow('The supervisor password is needed to change a privacy rule.');
    expect((await h.getPrivacy({})).rules).toEqual([rule]);
    expect((await h.savePrivacyRule({ ...narrowed, supervisorPassword: 'correct horse battery' })).schedule).toEqual(narrowed.schedule);
    expect(await h.deletePrivacyRule({ id: rule.id, supervisorPassword: 'correct horse battery' })).toEqual({ deleted: true });
    const actions = (await h.listAudit({})).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['supervisor_refused', 'privacy_rule_changed', 'privacy_rule_deleted']));
  });
});

async function exportCsv(service: Awaited<ReturnType<typeof startService>>['service'], req: Parameters<typeof service.handlers.startExport>[0]): Promise<string> {
  const job = await service.handlers.startExport(req);
  const done = await waitFor(() => {
    const p = service.exports.get(job.jobId);
    return p?.state === 'done' ? p : null;
  }, 'the export');
  const dl = service.exports.takeDownload(done.jobId, done.fileName)!;
  const text = readFileSync(dl.file, 'utf8');
  dl.done();
  return text;
}
