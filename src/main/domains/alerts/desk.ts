// The alert desk: turns engine output and silence into alerts (de-duplicated, suppressed, escalated) and
// tells every screen. Alert settings and the running snoozes and mutes live here.
import type { Alert, Suppression } from '../../../shared/contract/alerts';
import type { Geofence } from '../../../shared/contract/fences';
import type { AlertSettings } from '../../../shared/contract/rules';
import type { EngineOutput } from '../../core/engine/fleet-engine';
import type { LiveState } from '../../core/live/live-state';
import { alertsFromEngineOutput, clearsFromEngineOutput, DEFAULT_ALERT_SETTINGS, newAlert, validateAlertSettings } from '../../core/rules/alerts';
import type { NewAlert, Store } from '../../core/storage/store';
import type { Emit } from '../../api/handlers';
import type { Settings } from '../settings/settings';

export const ALERT_SETTINGS_KEY = 'alerts.settings';

export class AlertDesk {
  settings: AlertSettings = DEFAULT_ALERT_SETTINGS;
  suppressions: Suppression[] = [];
  /** Vehicles with an "offline" alert raised and not yet back. */
  private readonly offlineVehicles = new Set<string>();
  private readonly startedMs = Date.now();

  constructor(
    private readonly d: { store: Store; settingsStore: Settings; live: LiveState; fences: ReadonlyMap<string, Geofence>; emit: Emit; statusChanged: () => void },
  ) {
    const saved = d.settingsStore.load(ALERT_SETTINGS_KEY, DEFAULT_ALERT_SETTINGS, validateAlertSettings);
    this.settings = { ...saved, severity: { ...DEFAULT_ALERT_SETTINGS.severity, ...saved.severity } };
    this.suppressions = d.store.alerts.activeSuppressions(Date.now());
  }

  /** Saves settings that were already checked. */
  saveSettings(settings: AlertSettings): void {
    this.settings = settings;
    this.d.settingsStore.save(ALERT_SETTINGS_KEY, settings);
  }

  refreshSuppressions(nowMs = Date.now()): Suppression[] {
    return (this.suppressions = this.d.store.alerts.activeSuppressions(nowMs));
  }

  private context(raisedMs: number) {
    return { fences: this.d.fences, settings: this.settings, suppressions: this.suppressions, raisedMs };
  }

  /** Stores an engine batch (alerts, fence crossings, driving events) and pushes what it raised. */
  recordEngineOutput(output: EngineOutput): void {
    if (output.geofence.length + output.driving.length + output.health.length + output.cleared.length === 0) return;
    const nowMs = Date.now();
    const alerts = alertsFromEngineOutput(output, this.context(nowMs));
    this.pushRecorded(
      this.d.store.recordEngineOutput({
        alerts,
        clears: clearsFromEngineOutput(output, this.d.fences),
        resolvedMs: nowMs,
        fenceEvents: output.geofence,
        drivingEvents: output.driving.map((d) => ({ type: d.type, vehicleId: d.vehicleId, driverId: d.driverId, tsMs: d.tsMs, startMs: d.startMs, severity: d.severity, value: d.value, threshold: d.threshold, lat: d.lat, lon: d.lon })),
      }),
    );
  }

  private pushRecorded({ raised, repeated, cleared }: { raised: Alert[]; repeated: Alert[]; cleared: Alert[] }): void {
    for (const a of raised) this.d.emit('alertRaised', a);
    for (const a of [...repeated, ...cleared]) this.d.emit('alertUpdated', a);
    if (cleared.length) this.d.statusChanged();
  }

  /** Raises "offline" for vehicles silent longer than the setting (counted from start at the earliest). */
  checkOffline(nowMs = Date.now()): void {
    const limitMs = this.settings.offlineAfterMin * 60_000;
    const severity = this.settings.severity.offline;
    if (severity === 'off') return;
    const alerts: NewAlert[] = [];
    for (const v of this.d.live.all(nowMs)) {
      if (this.offlineVehicles.has(v.vehicleId) || nowMs - Math.max(v.lastSeenMs, this.startedMs) < limitMs) continue;
      this.offlineVehicles.add(v.vehicleId);
      const min = Math.round((nowMs - v.lastSeenMs) / 60_000);
      alerts.push(newAlert(this.context(nowMs), 'offline', severity, { vehicleId: v.vehicleId, tsMs: v.last.tsMs, lat: v.last.lat, lon: v.last.lon, message: `${v.vehicleId}: no report for ${min} min` }));
    }
    if (alerts.length) this.pushRecorded(this.d.store.recordEngineOutput({ alerts }));
  }

  /**
   * A job's stop is late (its live ETA past the window) or missed (the window over, the vehicle not
   * there): one line per stop (keyed like a fence: `job:<id>:<seq>`), through the same severity,
   * suppression, grouping and escalation as every alert.
   */
  jobAlert(type: 'job_late' | 'job_missed' | 'job_no_answer', a: { vehicleId: string; jobKey: string; jobName: string; tsMs: number; lat: number | null; lon: number | null; message: string }, nowMs = Date.now()): void {
    const severity = this.settings.severity[type];
    if (severity === 'off') return;
    this.pushRecorded(this.d.store.recordEngineOutput({ alerts: [newAlert(this.context(nowMs), type, severity, { ...a, fenceId: a.jobKey, fenceName: a.jobName })] }));
  }

  /** The vehicle reached the stop (or the job ended): its late and missed lines resolve by themselves. */
  clearJobAlerts(vehicleId: string, jobKey: string, tsMs: number, reason: string): void {
    const cleared = (['job_late', 'job_missed', 'job_no_answer'] as const).flatMap((type) => this.d.store.alerts.clear({ vehicleId, type, fenceId: jobKey, tsMs, reason }, Date.now()));
    this.pushRecorded({ raised: [], repeated: [], cleared });
  }

  /** A vehicle reported (a fix of `tsMs`): its "offline" line, if any, resolves by itself. */
  reported(vehicleId: string, tsMs: number): void {
    if (!this.offlineVehicles.delete(vehicleId)) return;
    this.pushRecorded({ raised: [], repeated: [], cleared: this.d.store.alerts.clear({ vehicleId, type: 'offline', fenceId: null, tsMs, reason: 'reporting again' }, Date.now()) });
  }

  /** A dispatcher signed off: the lines they were handling are free again, on every screen. */
  releaseClaimsOf(name: string): void {
    for (const a of this.d.store.alerts.releaseAllBy(name)) this.d.emit('alertUpdated', a);
  }

  /** Marks unacknowledged critical alerts older than the setting as escalated and pushes them. */
  escalate(nowMs = Date.now()): void {
    const due = this.d.store.alerts.escalateDue(nowMs - this.settings.escalateAfterMin * 60_000, nowMs);
    for (const a of due) this.d.emit('alertUpdated', a);
    if (due.length) this.d.statusChanged();
  }
}
