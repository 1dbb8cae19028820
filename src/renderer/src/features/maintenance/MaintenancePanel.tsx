// Predictive maintenance: vehicles ranked by the risk of a breakdown within 14 days, what pushes each
// one up, how the model did on time-ordered validation (recall first, and the precision that costs),
// Retrain with progress, and the service/breakdown records it learns from.
import { useCallback, useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import type { MaintenanceOverview, MaintenanceRecord } from '../../../../shared/contract/maintenance';
import { api } from '../../lib/api';
import { useAction } from '../../lib/use-action';
import { ExportBox } from '../reports/ExportBox';
import { localTime } from '../../lib/format';
import { useFleet, useMay } from '../../app/store';

const FEATURE_TEXT: Record<string, string> = {
  avg_rpm: 'average rpm',
  max_rpm: 'peak rpm',
  avg_coolant_temp: 'average coolant °C',
  max_coolant_temp: 'peak coolant °C',
  fuel_consumption_rate: 'fuel l/100 km',
  harsh_brake_count: 'harsh brakes',
  total_km: 'km this week',
  days_since_last_service: 'days since service',
  km_since_last_service: 'km since service',
  active_dtc_count: 'fault codes',
};
const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
const f2 = (x: number) => (Number.isNaN(x) || x === null ? '—' : x.toFixed(2));

/** How many vehicles the workshop can check a week: that many of the riskiest are flagged. */
function CapacityForm({ checksPerWeek, onSave }: { checksPerWeek: number; onSave: (n: number) => Promise<unknown> }) {
  const [text, setText] = useState(String(checksPerWeek));
  useEffect(() => setText(String(checksPerWeek)), [checksPerWeek]);
  const n = Number(text);
  const valid = Number.isInteger(n) && n >= 1 && n <= 1000;
  return (
    <form
      className="row capacity-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) void onSave(n);
      }}
    >
      <label htmlFor="mt-cap">Workshop checks a week</label>
      <input id="mt-cap" type="number" min={1} max={1000} step={1} value={text} onChange={(e) => setText(e.target.value)} style={{ width: 70 }} />
      <button type="submit" disabled={!valid || n === checksPerWeek}>
        Set
      </button>
    </form>
  );
}

export function MaintenancePanel() {
  const [o, setO] = useState<MaintenanceOverview | null>(null);
  const [records, setRecords] = useState<MaintenanceRecord[]>([]);
  const { error, setError, act } = useAction();
  const [note, setNote] = useState<string | null>(null);
  const [training, setTraining] = useState<MaintenanceOverview['training'] | null>(null);
  const [form, setForm] = useState({ vehicleId: '', kind: 'service' as 'service' | 'breakdown', date: new Date().toISOString().slice(0, 10), odometerKm: '', cost: '', note: '' });
  const select = useFleet((s) => s.select);
  // a viewer reads the ranking; training, capacity and records are a dispatcher's (capacity a supervisor's)
  const mayWrite = useMay('addMaintenanceRecord');
  const mayTrain = useMay('retrainMaintenance');
  const mayCapacity = useMay('setMaintenanceCapacity');
  // The records list shows at once; the ranking comes when its worker has recomputed it (seconds on a
  // busy machine), without holding the list back.
  const reload = useCallback(async () => {
    const fail = (err: unknown) => setError((err as Error).message);
    const recs = api.call('listMaintenanceRecords', { limit: 50 }).then(setRecords, fail);
    const ov = api.call('getMaintenance', {}).then((x) => {
      setO(x);
      setTraining(x.training);
    }, fail);
    await Promise.all([recs, ov]);
  }, []);
  useEffect(() => {
    void reload();
    return api.on('maintenanceProgress', (t) => {
      setTraining(t);
      if (!t.running) void reload();
    });
  }, [reload]);
  const guard = (fn: () => Promise<unknown>) => act(async () => (await fn(), await reload()));
  const add = (e: FormEvent) => {
    e.preventDefault();
    void guard(() =>
      api.call('addMaintenanceRecord', {
        vehicleId: form.vehicleId.trim(),
        kind: form.kind,
        tsMs: Date.parse(`${form.date}T12:00:00Z`),
        odometerKm: form.odometerKm ? Number(form.odometerKm) : null,
        cost: form.cost ? Number(form.cost) : null,
        note: form.note,
      }),
    );
  };
  const importFile = (kind: 'records' | 'history') => async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    await guard(async () => {
      const r = await api.call('importMaintenanceCsv', { kind, text: await file.text() });
      setNote(`Imported ${r.imported} ${kind === 'records' ? 'records' : 'vehicle-weeks'}${r.errors.length ? `; ${r.errors.length} lines refused: ${r.errors.slice(0, 3).join('; ')}` : ''}.`);
    });
  };
  if (!o) return <p className="muted empty">Loading…</p>;
  const m = o.model;
  const running = training?.running ?? false;
  return (
    <div className="scroll maintenance-panel">
      <div className="row">
        {mayTrain && (
          <button type="button" onClick={() => void guard(() => api.call('retrainMaintenance', {}))} disabled={running}>
            {running ? 'Training…' : 'Retrain'}
          </button>
        )}
        <span className="muted">
          {o.trainingRows.toLocaleString()} vehicle-weeks, {o.trainingPositives} breakdowns
        </span>
      </div>
      {running && training && (
        <>
          <progress max={1} value={training.progress} aria-label="Training progress" />
          <span className="muted">{training.message}</span>
        </>
      )}
      {!running && training?.message && <p className="muted training-message">{training.message}</p>}
      {!m && <p className="muted">No model yet. It learns from vehicle-weeks with a known outcome: add service and breakdown records, or import history, then Retrain.</p>}
      {m && (
        <>
          <h3>Vehicles by breakdown risk (14 days)</h3>
          {mayCapacity && <CapacityForm checksPerWeek={o.capacity.checksPerWeek} onSave={(n) => guard(() => api.call('setMaintenanceCapacity', { checksPerWeek: n }))} />}
          <p className="muted capacity-expected" data-testid="capacity-expected">
            {o.capacity.expected
              ? `Checking the ${o.capacity.checksPerWeek} riskiest vehicles each week caught ${pct(o.capacity.expected.recall)} of breakdowns on the validation weeks — about ${o.capacity.expected.caughtPerWeek.toFixed(1)} of ${o.capacity.expected.breakdownsPerWeek.toFixed(1)} a week; ${pct(o.capacity.expected.precision)} of checks found one.`
              : 'Retrain to see what checking this many vehicles a week catches on the validation weeks.'}{' '}
            Vehicles with too little data are never flagged. Trained {localTime(m.trainedMs)} on {m.rows.toLocaleString()} vehicle-weeks, {m.trees} trees.
          </p>
          <table className="grid risk-table" aria-label="Breakdown risk">
            <thead>
              <tr>
                <th>Vehicle</th>
                <th className="num">Risk</th>
                <th>Pushed up by</th>
              </tr>
            </thead>
            <tbody>
              {o.ranking.slice(0, 100).map((r) => (
                <tr key={r.vehicleId} data-vehicle={r.vehicleId} className={r.alert ? 'alert-row' : r.dataNote ? 'no-data' : ''} onClick={() => select(r.vehicleId, true)}>
                  <td>
                    {r.vehicleId} {r.alert && <span className="sev warning">check</span>}
                  </td>
                  <td className="num">{r.dataNote ? '—' : pct(r.risk)}</td>
                  <td className="muted">{r.dataNote ? `not judged: ${r.dataNote}` : r.drivers.map((d) => `${FEATURE_TEXT[d.feature] ?? d.feature} ${d.value === null ? '?' : Math.round(d.value * 10) / 10}`).join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Validation (time-ordered folds)</h3>
          <table className="grid folds-table">
            <thead>
              <tr>
                <th>Fold</th>
                <th>Test weeks</th>
                <th className="num">Recall</th>
                <th className="num">Precision</th>
                <th className="num">AUC</th>
              </tr>
            </thead>
            <tbody>
              {m.folds.map((f) => (
                <tr key={f.fold}>
                  <td>{f.fold}</td>
                  <td>
                    {f.testWeeks[0]} … {f.testWeeks[1]}
                  </td>
                  <td className="num">{f2(f.recall)}</td>
                  <td className="num">{f2(f.precision)}</td>
                  <td className="num">{f2(f.auc)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">Missing a breakdown costs more than a false alarm: the threshold favours recall, and the precision column is what that costs.</p>
          <ExportBox vehicleIds={[]} fromMs={Date.now() - 7 * 86_400_000} toMs={Date.now()} fixedReport="maintenance-risk" />
        </>
      )}
      <h3>Service and breakdown records</h3>
      {mayWrite && (
        <>
      <form className="kv-form" onSubmit={add} aria-label="New maintenance record">
        <label htmlFor="mr-v">Vehicle</label>
        <input id="mr-v" value={form.vehicleId} onChange={(e) => setForm({ ...form, vehicleId: e.target.value })} />
        <label htmlFor="mr-k">Kind</label>
        <select id="mr-k" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as 'service' | 'breakdown' })}>
          <option value="service">service</option>
          <option value="breakdown">breakdown</option>
        </select>
        <label htmlFor="mr-d">Date</label>
        <input id="mr-d" type="date" value={form.date} onChange={(e) => setForm({ ...form, date: e.target.value })} />
        <label htmlFor="mr-o">Odometer km</label>
        <input id="mr-o" inputMode="decimal" value={form.odometerKm} onChange={(e) => setForm({ ...form, odometerKm: e.target.value })} />
        <label htmlFor="mr-c">Cost</label>
        <input id="mr-c" inputMode="decimal" value={form.cost} onChange={(e) => setForm({ ...form, cost: e.target.value })} />
        <label htmlFor="mr-n">Note</label>
        <input id="mr-n" value={form.note} onChange={(e) => setForm({ ...form, note: e.target.value })} />
        <span />
        <button type="submit">Add record</button>
      </form>
      <div className="row">
        <label className="button-like">
          Import records CSV… <input type="file" accept=".csv,text/csv" hidden onChange={importFile('records')} aria-label="Import records CSV" />
        </label>
        <label className="button-like">
          Import history CSV… <input type="file" accept=".csv,text/csv" hidden onChange={importFile('history')} aria-label="Import history CSV" />
        </label>
      </div>
        </>
      )}
      {note && <p className="muted">{note}</p>}
      {error && <p className="error">{error}</p>}
      <ul className="event-list records-list">
        {records.map((r) => (
          <li key={r.id}>
            <time>{new Date(r.tsMs).toISOString().slice(0, 10)}</time> {r.vehicleId} <b>{r.kind}</b> {r.odometerKm !== null ? `${r.odometerKm} km` : ''} {r.cost !== null ? `· ${r.cost}` : ''} <span className="muted">{r.note}</span>{' '}
            {mayWrite && (
              <button type="button" onClick={() => void guard(() => api.call('deleteMaintenanceRecord', { id: r.id }))}>
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
