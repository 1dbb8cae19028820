// Alerts beyond geofences, through the real service: health and driving rules, suppression, resolve,
// escalation, offline, filters and rule settings, with a real aedes broker and SQLite file.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../src/shared/contract/alerts';
import { ApiError } from '../src/main/api/api-error';
import { telemetry, waitFor } from './helpers';
import { publisher, startService } from './service-helpers';

type Service = Awaited<ReturnType<typeof startService>>['service'];

async function send(service: Service, vehicleId: string, reports: Record<string, unknown>[]) {
  const pub = await publisher(service.brokerUrl);
  for (const r of reports) await pub.publishAsync(`fleet/${vehicleId}/telemetry`, JSON.stringify(telemetry({ vehicle_id: vehicleId, ...r })), { qos: 1 });
}

function collect(service: Service) {
  const raised: Alert[] = [];
  const updated: Alert[] = [];
  service.on('alertRaised', (a) => raised.push(a));
  service.on('alertUpdated', (a) => updated.push(a));
  return { raised, updated };
}

describe('alerts from the engine, through the service', () => {
  it('raises a critical coolant alert, records it suppressed (not counted) under a mute but not under a snooze', async () => {
    const { service } = await startService();
    const { raised } = collect(service);
    const t0 = Date.now() - 60_000;
    await expect(service.handlers.suppress({ kind: 'mute', vehicleId: 'HOT-2', type: 'coolant_high', durationMin: 60 })).rejects.toThrow(/needs a reason/);
    // a snooze does not silence a critical alert; a mute with a reason (a known fault) does
    await service.handlers.suppress({ kind: 'snooze', vehicleId: 'HOT-1', type: 'coolant_high', durationMin: 60 });
    await service.handlers.suppress({ kind: 'mute', vehicleId: 'HOT-2', type: 'coolant_high', durationMin: 60, reason: 'thermostat fault, workshop booked' });
    expect((await service.handlers.listSuppressions({})).map((s) => [s.vehicleId, s.type, s.kind]).sort()).toEqual([['HOT-1', 'coolant_high', 'snooze'], ['HOT-2', 'coolant_high', 'mute']]);
    await send(service, 'HOT-1', [{ timestamp: t0, coolant_temp_c: 90 }, { timestamp: t0 + 10_000, coolant_temp_c: 112 }]);
    await send(service, 'HOT-2', [{ timestamp: t0, coolant_temp_c: 90 }, { timestamp: t0 + 10_000, coolant_temp_c: 112 }]);
    await waitFor(() => raised.length >= 2, 'two coolant alerts');
    const byVehicle = Object.fromEntries(raised.map((a) => [a.vehicleId, a]));
    expect(byVehicle['HOT-1']).toMatchObject({ type: 'coolant_high', severity: 'critical', suppressed: false, message: 'HOT-1: coolant 112 °C (limit 105 °C)' });
    expect(byVehicle['HOT-2']).toMatchObject({ type: 'coolant_high', suppressed: true });
    expect((await service.handlers.listAlerts({})).map((a) => a.vehicleId)).toEqual(['HOT-1']);
    expect((await service.handlers.listAlerts({ includeSuppressed: true })).map((a) => a.vehicleId).sort()).toEqual(['HOT-1', 'HOT-2']);
    expect((await service.handlers.getStatus({})).openAlertsBySeverity).toEqual({ info: 0, warning: 0, critical: 1 });
  });

  it('a snooze or mute handles the open lines it covers: they leave the open count, marked by whom and how', async () => {
    const { service } = await startService();
    const { raised } = collect(service);
    const t0 = Date.now() - 60_000;
    // LOW-1: low fuel (warning) and hot coolant (critical)
    await send(service, 'LOW-1', [{ timestamp: t0, fuel_level: 40, coolant_temp_c: 90 }, { timestamp: t0 + 10_000, fuel_level: 8, coolant_temp_c: 112 }]);
    await waitFor(() => raised.length >= 2, 'the two alerts');
    expect((await service.handlers.getStatus({})).openAlertsBySeverity).toMatchObject({ warning: 1, critical: 1 });
    // a snooze of every type: the warning is handled, the critical line stays open
    await service.handlers.suppress({ kind: 'snooze', vehicleId: 'LOW-1', type: null, durationMin: 60, by: 'ana' });
    expect((await service.handlers.getStatus({})).openAlertsBySeverity).toMatchObject({ warning: 0, critical: 1 });
    const fuel = (await service.handlers.listAlerts({ includeAcknowledged: true })).find((a) => a.type === 'low_fuel')!;
    expect(fuel.acknowledgedBy).toBe('ana (snoozed 60 min)');
    // a mute (a known fault, with its reason) handles the critical one too
    await service.handlers.suppress({ kind: 'mute', vehicleId: 'LOW-1', type: 'coolant_high', durationMin: 120, reason: 'thermostat, workshop booked', by: 'ben' });
    expect((await service.handlers.getStatus({})).openAlerts).toBe(0);
    const hot = (await service.handlers.listAlerts({ includeAcknowledged: true })).find((a) => a.type === 'coolant_high')!;
    expect(hot.acknowledgedBy).toBe('ben (muted: thermostat, workshop booked)');
  });

  it('resolves an alert (acknowledging it), escalates an unacknowledged critical one, and filters and sorts the list', async () => {
    const { service } = await startService();
    const { raised, updated } = collect(service);
    const t0 = Date.now() - 60_000;
    await send(service, 'A-1', [{ timestamp: t0, fuel_level: 40 }, { timestamp: t0 + 10_000, fuel_level: 12 }]); // low fuel: warning
    await send(service, 'A-2', [{ timestamp: t0, coolant_temp_c: 120 }]); // critical
    await send(service, 'A-3', [{ timestamp: t0, dtc_codes: ['P0420'] }]); // warning
    await waitFor(() => raised.length >= 3, 'three alerts');
    expect((await service.handlers.listAlerts({ sort: 'severity' }))[0]!.vehicleId).toBe('A-2');
    expect((await service.handlers.listAlerts({ severity: ['warning'] })).map((a) => a.type).sort()).toEqual(['dtc', 'low_fuel']);
    expect((await service.handlers.listAlerts({ types: ['dtc'] })).map((a) => [a.vehicleId, a.message])).toEqual([['A-3', 'A-3: new trouble code P0420']]);
    expect((await service.handlers.listAlerts({ vehicleId: 'A-1' })).map((a) => a.type)).toEqual(['low_fuel']);
    expect(await service.handlers.listAlerts({ fromMs: Date.now() + 3_600_000 })).toEqual([]);

    const lowFuel = raised.find((a) => a.type === 'low_fuel')!;
    const resolved = await service.handlers.resolveAlert({ alertId: lowFuel.id, by: 'anna' });
    expect(resolved).toMatchObject({ resolvedBy: 'anna', acknowledgedBy: 'anna' });
    expect(resolved.resolvedMs).toBeGreaterThan(0);

    // ten minutes on: the unacknowledged critical alert escalates, once; warnings do not
    service.escalate(Date.now() + 10 * 60_000);
    service.escalate(Date.now() + 11 * 60_000);
    const escalated = updated.filter((a) => a.escalatedMs !== null);
    expect(escalated.map((a) => a.vehicleId)).toEqual(['A-2']);
    await expect(service.handlers.resolveAlert({ alertId: 999_999 })).rejects.toBeInstanceOf(ApiError);
  });

  it('raises "offline" for a silent vehicle and resolves it when the vehicle reports again', async () => {
    const { service } = await startService();
    const { raised, updated } = collect(service);
    await send(service, 'Q-1', [{ timestamp: Date.now() - 1000 }]);
    await waitFor(async () => (await service.handlers.listVehicles({})).length === 1, 'the vehicle');
    service.checkOffline(Date.now() + 5 * 60_000);
    expect(raised).toEqual([]);
    service.checkOffline(Date.now() + 11 * 60_000);
    service.checkOffline(Date.now() + 12 * 60_000);
    expect(raised.map((a) => [a.type, a.vehicleId, a.severity])).toEqual([['offline', 'Q-1', 'warning']]);
    await send(service, 'Q-1', [{ timestamp: Date.now() }]);
    await waitFor(() => updated.find((a) => a.type === 'offline' && a.resolvedMs !== null), 'the offline alert to resolve');
  });

  it('resolves a line by itself when its condition ends (back inside, refuelled), with the fix time it ended; events stay', async () => {
    const { service } = await startService();
    const { raised, updated } = collect(service);
    await service.handlers.saveGeofence({ name: 'Yard', category: 'depot', geometry: { type: 'Circle', center: [-1.89, 52.48], radiusM: 100 } });
    const t0 = Date.now() - 120_000;
    // in, out (200 m north at 72 km/h), in again; fuel 60 → 10 → 10 → 60
    const at = (i: number) => t0 + i * 10_000;
    await send(service, 'BACK-1', [52.48, 52.4818, 52.4818, 52.48].map((lat, i) => ({ timestamp: at(i), lat, speed_kmh: 72, fuel_level: i === 0 || i === 3 ? 60 : 10 })));
    const exit = await waitFor(() => updated.find((a) => a.type === 'geofence_exit' && a.clearedMs !== null), 'the fence-left line to clear');
    expect(exit).toMatchObject({ vehicleId: 'BACK-1', fenceName: 'Yard', clearedMs: at(3), resolvedBy: 'FleetDesk: back inside Yard' });
    expect(exit.acknowledgedMs).not.toBeNull(); // it leaves the queue
    const fuel = await waitFor(() => updated.find((a) => a.type === 'low_fuel' && a.clearedMs !== null), 'the low-fuel line to clear');
    expect(fuel).toMatchObject({ clearedMs: at(3), resolvedBy: 'FleetDesk: refuelled: 60 %' });
    // the entry is an event, not a condition: it stays for a person to handle
    const enter = raised.find((a) => a.type === 'geofence_enter')!;
    expect((await service.handlers.listAlerts({ severity: ['info'], includeAcknowledged: true })).find((a) => a.id === enter.id)?.resolvedMs).toBeNull();
    expect((await service.handlers.getStatus({})).openAlertsBySeverity.warning).toBe(0);
  });

  it('acknowledges and resolves several lines at once with one note, and keeps every note', async () => {
    const { service } = await startService();
    const { raised } = collect(service);
    const t = Date.now() - 30_000;
    for (const v of ['N-1', 'N-2', 'N-3']) await send(service, v, [{ timestamp: t, dtc_codes: ['P0301'] }]);
    await waitFor(() => raised.filter((a) => a.type === 'dtc').length === 3 || null, 'three trouble-code lines');
    const ids = raised.filter((a) => a.type === 'dtc').map((a) => a.id);
    const acked = await service.handlers.acknowledgeAlerts({ alertIds: ids.slice(0, 2), note: 'workshop informed', by: 'ana' });
    expect(acked.map((a) => [a.id, a.acknowledgedBy, a.note])).toEqual([
      [ids[0], 'ana', 'workshop informed'],
      [ids[1], 'ana', 'workshop informed'],
    ]);
    expect((await service.handlers.getStatus({})).openAlertsBySeverity.warning).toBe(1);
    const resolved = await service.handlers.resolveAlerts({ alertIds: [ids[0]!, 999_999], note: 'coil replaced', by: 'ben' });
    expect(resolved.map((a) => [a.id, a.resolvedBy, a.acknowledgedBy, a.note])).toEqual([[ids[0], 'ben', 'ana', 'workshop informed\ncoil replaced']]);
  });

  it('applies saved rule settings at once: a lower class speed limit raises speeding; "off" silences a rule; bad settings are refused', async () => {
    const { service } = await startService();
    const { raised } = collect(service);
    const settings = await service.handlers.getRuleSettings({});
    await expect(service.handlers.saveRuleSettings({ ...settings, engine: { ...settings.engine, lowFuelPct: -3 } })).rejects.toThrow(/lowFuelPct must be a positive number/);
    await service.handlers.saveRuleSettings({
      engine: { ...settings.engine, classes: { default: { speedLimitKmh: 30 } } },
      alerts: { ...settings.alerts, severity: { ...settings.alerts.severity, dtc: 'off' } },
    });
    const t0 = Date.now() - 120_000;
    // 40 km/h for 40 s against a 30 km/h limit (positions 10 s apart, ~110 m each: no GPS jump)
    await send(service, 'S-1', [0, 1, 2, 3, 4].map((i) => ({ timestamp: t0 + i * 10_000, speed_kmh: 40, lon: -1.89 + i * 0.0016, dtc_codes: ['P0001'], driver_id: 'DRV-9' })));
    await waitFor(() => raised.length >= 1, 'the speeding alert');
    expect(raised.map((a) => [a.type, a.severity, a.message])).toEqual([['speeding', 'warning', 'S-1 (driver DRV-9) speeding: 40 km/h where the limit is 30 km/h']]);
    const events = await waitFor(async () => {
      const e = await service.handlers.listDrivingEvents({ fromMs: t0 - 1, toMs: t0 + 60_000 });
      return e.length ? e : null;
    }, 'the stored driving event');
    expect(events.map((e) => [e.type, e.driverId, e.value, e.threshold, e.startMs])).toEqual([['speeding', 'DRV-9', 40, 30, t0]]);
  });

  it('stores fence rules and refuses bad ones with the rule named', async () => {
    const { service } = await startService();
    const geometry = { type: 'Circle' as const, center: [-1.89, 52.48] as [number, number], radiusM: 300 };
    const f = await service.handlers.saveGeofence({ name: 'Yard', category: 'depot', geometry, rules: { speedLimitKmh: 15, dwellAlertMin: 30, schedule: { days: [1, 2, 3, 4, 5], startMin: 360, endMin: 1320, timeZone: 'Europe/London' } } });
    expect((await service.handlers.listGeofences({})).find((x) => x.id === f.id)?.rules).toEqual(f.rules);
    await expect(service.handlers.saveGeofence({ name: 'Bad', category: 'depot', geometry, rules: { schedule: { days: [1], startMin: 0, endMin: 60, timeZone: 'Nowhere/City' } } })).rejects.toThrow(
      'Geofence "Bad" was not saved: unknown time zone "Nowhere/City".',
    );
    await expect(service.handlers.saveGeofence({ name: 'Bad', category: 'depot', geometry, rules: { speedLimitKmh: -5 } })).rejects.toThrow(/speedLimitKmh must be a number between 0 and 300/);
  });
});
