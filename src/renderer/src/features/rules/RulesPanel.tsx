// Rules: driving-event thresholds (default vehicle class), vehicle-health limits, alert severity per
// rule, offline and escalation times. Saved settings reach the engine worker at once.
import { useEffect, useState } from 'react';
import { ALERT_TYPE_TEXT, ALERT_TYPES, type DrivingEventType } from '../../../../shared/contract/alerts';
import { type AlertSettings, type EngineConfig, type RuleSeverity, type VehicleClassThresholds } from '../../../../shared/contract/rules';
import { api } from '../../lib/api';
import { useMay } from '../../app/store';
import { localTime } from '../../lib/format';
import type { FederationStatus } from '../../../../shared/contract/federation';

const THRESHOLDS: [keyof VehicleClassThresholds, string][] = [
  ['harshBrakeMs2', 'Harsh braking above (m/s²)'],
  ['rapidAccelMs2', 'Rapid acceleration above (m/s²)'],
  ['hardCornerMs2', 'Hard cornering above (m/s² lateral)'],
  ['cornerMinSpeedKmh', 'Judge cornering from (km/h)'],
  ['speedLimitKmh', 'Speed limit outside fences (km/h)'],
  ['speedingMinDurationS', 'Speeding counts after (s)'],
  ['speedingFullSeverityOverKmh', 'Speeding severity 1 at (km/h over)'],
  ['idleMinDurationS', 'Idling counts after (s)'],
  ['idleFullSeverityOverS', 'Idling severity 1 after further (s)'],
];
const HEALTH: [keyof Pick<EngineConfig, 'lowFuelPct' | 'fuelDropPct' | 'coolantMaxC' | 'maxSampleGapS'>, string][] = [
  ['lowFuelPct', 'Low fuel below (%)'],
  ['fuelDropPct', 'Fuel drop while parked (% points)'],
  ['coolantMaxC', 'Coolant over (°C)'],
  ['maxSampleGapS', 'Longest gap to judge acceleration (s)'],
];

export function RulesPanel() {
  const mayEdit = useMay('saveRuleSettings');
  const [engine, setEngine] = useState<EngineConfig | null>(null);
  const [alerts, setAlerts] = useState<AlertSettings | null>(null);
  const [penalties, setPenalties] = useState<Record<DrivingEventType, number> | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  // a depot: the rules headquarters pushed, when they are in force
  const [fromHq, setFromHq] = useState<FederationStatus['pushedRules']>(null);
  useEffect(() => {
    api.call('getFederation', {}).then((f) => setFromHq(f.role === 'depot' ? f.pushedRules : null), () => undefined);
  }, []);
  useEffect(() => {
    api
      .call('getRuleSettings', {})
      .then((s) => {
        setEngine(s.engine);
        setAlerts(s.alerts);
        setPenalties(s.penalties);
      })
      .catch((err) => setMessage({ ok: false, text: (err as Error).message }));
  }, []);
  if (!engine || !alerts || !penalties) return <p className="muted empty">{message?.text ?? 'Loading…'}</p>;
  const dflt = engine.classes['default'] ?? {};
  const setThreshold = (k: keyof VehicleClassThresholds, v: number) => setEngine({ ...engine, classes: { ...engine.classes, default: { ...dflt, [k]: v } } });
  const save = async () => {
    try {
      const saved = await api.call('saveRuleSettings', { engine, alerts, penalties });
      setEngine(saved.engine);
      setAlerts(saved.alerts);
      setPenalties(saved.penalties);
      setMessage({ ok: true, text: 'Saved; the engine uses the new rules from the next report.' });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    }
  };
  return (
    <form
      className="scroll"
      aria-label="Rules"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {fromHq && (
        <p className="muted" data-testid="rules-from-hq">
          These rules came from headquarters: version {fromHq.version}, arrived {localTime(fromHq.arrivedMs)} from {fromHq.by}. A change saved here holds until headquarters sends the next version; which vehicle is which class stays this depot’s.
        </p>
      )}
      {/* rules are a supervisor's: below that they are shown, not changed */}
      <fieldset className="plain" disabled={!mayEdit}>
      <h3>Driving events (all vehicles)</h3>
      <div className="settings-form">
        {THRESHOLDS.map(([k, label]) => (
          <label key={k} className="contents">
            <span>{label}</span>
            <input type="number" step="any" min={0} value={dflt[k] ?? ''} onChange={(e) => setThreshold(k, Number(e.target.value))} aria-label={label} />
          </label>
        ))}
      </div>
      <h3>Vehicle health</h3>
      <div className="settings-form">
        {HEALTH.map(([k, label]) => (
          <label key={k} className="contents">
            <span>{label}</span>
            <input type="number" step="any" min={0} value={engine[k]} onChange={(e) => setEngine({ ...engine, [k]: Number(e.target.value) })} aria-label={label} />
          </label>
        ))}
      </div>
      <h3>Driver score penalties (× severity)</h3>
      <div className="settings-form">
        {(Object.keys(penalties) as DrivingEventType[]).map((k) => (
          <label key={k} className="contents">
            <span>{ALERT_TYPE_TEXT[k]}</span>
            <input type="number" step="any" min={0} max={100} value={penalties[k]} onChange={(e) => setPenalties({ ...penalties, [k]: Number(e.target.value) })} aria-label={`Penalty for ${ALERT_TYPE_TEXT[k]}`} />
          </label>
        ))}
      </div>
      <h3>Alerts</h3>
      <div className="settings-form">
        <label className="contents">
          <span>Offline after (min)</span>
          <input type="number" min={1} value={alerts.offlineAfterMin} onChange={(e) => setAlerts({ ...alerts, offlineAfterMin: Number(e.target.value) })} aria-label="Offline after (min)" />
        </label>
        <label className="contents">
          <span>Escalate unacknowledged critical after (min)</span>
          <input type="number" min={1} value={alerts.escalateAfterMin} onChange={(e) => setAlerts({ ...alerts, escalateAfterMin: Number(e.target.value) })} aria-label="Escalate after (min)" />
        </label>
        {ALERT_TYPES.map((t) => (
          <label key={t} className="contents">
            <span>{ALERT_TYPE_TEXT[t]}</span>
            <select value={alerts.severity[t]} onChange={(e) => setAlerts({ ...alerts, severity: { ...alerts.severity, [t]: e.target.value as RuleSeverity } })} aria-label={`Severity of ${ALERT_TYPE_TEXT[t]}`}>
              {['critical', 'warning', 'info', 'off'].map((s) => (
                <option key={s} value={s}>
                  {s === 'off' ? 'off (record only)' : s}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      <p className="muted">Crossings of restricted fences are raised to critical (entering) and warning (leaving). Vehicle classes beyond the default can be set through the API.</p>
      </fieldset>
      {message && (
        <p className={message.ok ? 'muted' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      {mayEdit ? <button type="submit">Save rules</button> : <p className="muted">Only a supervisor changes the rules.</p>}
    </form>
  );
}
