// Alert volume on a simulated demo day: the demo fleet drives for 10 hours through the real engine
// (geofences, driving events, vehicle health) and the alerts go through the real store. Each stage of
// FleetDesk's fatigue control is counted against a naive console that turns every event into an alert:
// anti-bounce entry delay, per-rule severity (harsh manoeuvres go to scoring, not to the list),
// de-duplication, and a dispatcher who snoozes a vehicle's alert type for an hour after acknowledging
// its second one within the hour (never a critical one). Nothing critical may be lost: every critical
// event must be counted in some critical alert's repeat count, and none may be suppressed.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FleetEngine } from '../src/main/core/engine/fleet-engine';
import { alertsFromEngineOutput, clearsFromEngineOutput, DEFAULT_ALERT_SETTINGS } from '../src/main/core/rules/alerts';
import { groupAlerts } from '../src/renderer/src/features/alerts/groups';
import type { RuleInput } from '../src/main/core/rules/driving';
import { DemoFleet, demoEngineConfig } from '../src/main/core/sim/demo-fleet';
import { Store } from '../src/main/core/storage/store';
import type { AlertType, Suppression } from '../src/shared/contract/alerts';
import type { Geofence } from '../src/shared/contract/fences';
import { fmt, report } from './report';

const VEHICLES = 60;
const HOURS = 10;
const ACK_EVERY_MS = 15 * 60_000;
const SNOOZE_MS = 3_600_000;
const start = Date.UTC(2026, 10, 23, 6);

const dir = path.resolve('.bench-tmp/alerts');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const store = new Store(path.join(dir, 'alerts.sqlite'));
// the first hour's queue as a dispatcher who has not acted yet finds it: as before (every line stays open
// until a person handles it, one line at a time) and now (lines whose condition ended resolve by
// themselves; lines of one cause are handled as one group)
const QUEUE_HOURS = 1;
const before = new Store(path.join(dir, 'queue-before.sqlite'));
const after = new Store(path.join(dir, 'queue-after.sqlite'));
const fleet = new DemoFleet({ vehicles: VEHICLES, seed: 42, startMs: start });
const fences = fleet.demoGeofences().map((f) => ({ ...f, id: f.id!, color: f.color!, rules: f.rules ?? {}, createdMs: 0, updatedMs: 0 }) as Geofence);
const byId = new Map(fences.map((f) => [f.id, f]));
const config = demoEngineConfig();
// the same fences and rules, only without the entry delay
const naive = new FleetEngine(fences.map((f) => ({ ...f, rules: { ...f.rules, entryDelayS: undefined } })), config);
const engine = new FleetEngine(fences, config);
const everything = { ...DEFAULT_ALERT_SETTINGS, severity: Object.fromEntries(Object.entries(DEFAULT_ALERT_SETTINGS.severity).map(([k, v]) => [k, v === 'off' ? 'info' : v])) as typeof DEFAULT_ALERT_SETTINGS.severity };

const count = { naive: 0, antiBounce: 0, severity: 0, naiveCritical: 0, critical: 0, drivingEvents: 0 };
const byType = new Map<AlertType, number>();
const suppressions: Suppression[] = [];
const ackedAt = new Map<string, number[]>(); // vehicle|type → acknowledgement times
let nextAck = start + ACK_EVERY_MS;
const t = performance.now();
for (let now = start + 1000; now <= start + HOURS * 3_600_000; now += 1000) {
  fleet.advance(now);
  const batch: RuleInput[] = fleet.telemetry().map((m) => ({
    vehicleId: m.vehicle_id,
    tsMs: now,
    lon: m.lon,
    lat: m.lat,
    speedKmh: m.speed_kmh ?? null,
    headingDeg: m.heading ?? null,
    ignition: m.ignition ?? null,
    engineRpm: m.engine_rpm ?? null,
    fuelLevelPct: m.fuel_level ?? null,
    coolantTempC: m.coolant_temp_c ?? null,
    dtcCodes: m.dtc_codes ?? null,
    driverId: m.driver_id ?? null,
  }));
  const n = naive.step(batch);
  const naiveAlerts = alertsFromEngineOutput(n, { fences: byId, settings: everything, suppressions: [], raisedMs: now });
  count.naive += naiveAlerts.length;
  count.naiveCritical += naiveAlerts.filter((a) => a.severity === 'critical').length;
  const out = engine.step(batch);
  count.antiBounce += alertsFromEngineOutput(out, { fences: byId, settings: everything, suppressions: [], raisedMs: now }).length;
  count.drivingEvents += out.driving.length;
  const alerts = alertsFromEngineOutput(out, { fences: byId, settings: DEFAULT_ALERT_SETTINGS, suppressions, raisedMs: now });
  count.severity += alerts.length;
  count.critical += alerts.filter((a) => a.severity === 'critical').length;
  for (const a of alerts) byType.set(a.type, (byType.get(a.type) ?? 0) + 1);
  if (alerts.length || out.driving.length) store.recordEngineOutput({ alerts, fenceEvents: out.geofence, drivingEvents: out.driving });
  if (now <= start + QUEUE_HOURS * 3_600_000) {
    const raised = alertsFromEngineOutput(out, { fences: byId, settings: DEFAULT_ALERT_SETTINGS, suppressions: [], raisedMs: now });
    before.recordEngineOutput({ alerts: raised, fenceEvents: out.geofence });
    after.recordEngineOutput({ alerts: raised, fenceEvents: out.geofence, clears: clearsFromEngineOutput(out, byId), resolvedMs: now });
  }
  if (now >= nextAck) {
    // the dispatcher acknowledges everything open; a vehicle's second alert of a type within the hour gets that type snoozed
    for (const a of store.alerts.list({ limit: 5000 })) {
      const key = `${a.vehicleId}|${a.type}`;
      const times = (ackedAt.get(key) ?? []).filter((x) => now - x < 3_600_000);
      times.push(now);
      ackedAt.set(key, times);
      if (times.length >= 2 && a.severity !== 'critical') {
        suppressions.push({ id: suppressions.length + 1, kind: 'snooze', vehicleId: a.vehicleId, type: a.type, untilMs: now + SNOOZE_MS, reason: 'snoozed', createdBy: 'bench', createdMs: now });
      }
    }
    store.db.prepare(`UPDATE alerts SET acknowledged_ms = ?, acknowledged_by = 'bench' WHERE acknowledged_ms IS NULL`).run(now);
    nextAck += ACK_EVERY_MS;
  }
}
const q = (sql: string) => store.db.prepare(sql).get() as { n: number; s: number | null };
const stored = q(`SELECT count(*) AS n, sum(repeat_count) AS s FROM alerts`);
const shown = q(`SELECT count(*) AS n, sum(repeat_count) AS s FROM alerts WHERE suppressed = 0`);
const attention = q(`SELECT count(*) AS n FROM alerts WHERE suppressed = 0 AND severity IN ('warning', 'critical')`);
const critical = q(`SELECT count(*) AS n, sum(repeat_count) AS s FROM alerts WHERE severity = 'critical'`);
const criticalSuppressed = q(`SELECT count(*) AS n FROM alerts WHERE severity = 'critical' AND suppressed = 1`);
if (stored.s !== count.severity) throw new Error(`lost alerts: repeat counts ${stored.s} of ${count.severity}`);
if (critical.s !== count.critical || criticalSuppressed.n !== 0) throw new Error(`lost critical alerts: ${critical.s} of ${count.critical}, ${criticalSuppressed.n} suppressed`);
const drivingStored = q(`SELECT count(*) AS n FROM driving_events`).n;
store.close();
/** The open warning and critical lines of a queue, and the actions (an Ack of a line or of a group) that clear them. */
function queue(s: Store, grouped: boolean) {
  const open = s.alerts.list({ limit: 100_000, severity: ['warning', 'critical'] });
  const cleared = (s.db.prepare(`SELECT count(*) AS n FROM alerts WHERE cleared_ms IS NOT NULL AND severity IN ('warning', 'critical')`).get() as { n: number }).n;
  s.close();
  return { open: open.length, critical: open.filter((a) => a.severity === 'critical').length, actions: grouped ? groupAlerts(open).length : open.length, cleared };
}
const qBefore = queue(before, false);
const qAfter = queue(after, true);

const pct = (x: number) => `${((1 - x / Math.max(1, count.naive)) * 100).toFixed(0)} %`;
report(
  `alerts: demo day, ${VEHICLES} vehicles × ${HOURS} h`,
  [
    `the demo fleet (seed 42, rough and calm drivers, 50 km/h urban limit) reporting every second through the engine; 3 demo fences (depot; restricted zone with a 10 s entry delay; customer yard with 20 km/h limit and a 10 min dwell alert); ${((performance.now() - t) / 1000).toFixed(1)} s to run`,
    `a dispatcher acknowledges all open alerts every ${ACK_EVERY_MS / 60_000} min and snoozes a vehicle's alert type for 1 h at its second acknowledgement within an hour, never a critical one`,
    `nothing lost: repeat counts add up to the alerts raised; critical: ${fmt(count.critical)} raised, all in critical alerts' counts, none suppressed (checked by the benchmark)`,
    `driving events kept for scoring (not alerts): ${fmt(drivingStored)}; alerts by type after severity rules: ${[...byType].map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
  ],
  [
    { stage: 'naive: every event an alert', alerts: fmt(count.naive), 'cut vs naive': '–' },
    { stage: '+ entry delay on the restricted zone (anti-bounce)', alerts: fmt(count.antiBounce), 'cut vs naive': pct(count.antiBounce) },
    { stage: '+ severity per rule (harsh manoeuvres → scoring only)', alerts: fmt(count.severity), 'cut vs naive': pct(count.severity) },
    { stage: '+ de-duplication (one open alert per vehicle, type, fence)', alerts: fmt(stored.n), 'cut vs naive': pct(stored.n) },
    { stage: '+ snooze: alert lines the dispatcher sees', alerts: fmt(shown.n), 'cut vs naive': pct(shown.n) },
    { stage: '  of which warning or critical', alerts: fmt(attention.n), 'cut vs naive': pct(attention.n) },
    { stage: 'critical: naive / shown', alerts: `${fmt(count.naiveCritical)} / ${fmt(critical.n)}`, 'cut vs naive': '–' },
  ],
);
report(
  `alerts: the queue after the demo's first hour, ${VEHICLES} vehicles`,
  [
    'open warning and critical lines when nobody has acted yet, and the actions that clear them: before, one Ack per line; now, lines whose condition ended (back inside, refuelled, cooled, codes gone) resolved by themselves and lines of one cause (3 or more) acknowledged as one group',
    'no snoozes or mutes: what the queue asks of a dispatcher by itself',
  ],
  [
    { queue: 'before (every line open until a person acts)', 'open lines': fmt(qBefore.open), critical: fmt(qBefore.critical), 'actions to clear': fmt(qBefore.actions), 'resolved by themselves': '–' },
    { queue: 'now (conditions that ended resolve; groups)', 'open lines': fmt(qAfter.open), critical: fmt(qAfter.critical), 'actions to clear': fmt(qAfter.actions), 'resolved by themselves': fmt(qAfter.cleared) },
  ],
);
process.exit(0);
