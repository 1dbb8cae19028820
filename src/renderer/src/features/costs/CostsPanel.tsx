// Fleet cost (TCO) for a period: a sortable table per vehicle with fleet totals, cost per km as bars,
// replacement candidates (maintenance over 40 % of cost) highlighted, missing inputs said plainly; the
// inputs of one vehicle edited in place, or many imported from CSV.
import { Fragment, useCallback, useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import type { FleetCost, VehicleCost, VehicleCostInputs } from '../../../../shared/contract/costs';
import { api } from '../../lib/api';
import { ExportBox } from '../reports/ExportBox';
import { useMay } from '../../app/store';

const PERIODS = [
  { days: 30, label: 'last 30 days' },
  { days: 90, label: 'last 90 days' },
  { days: 365, label: 'last 12 months' },
];
type SortKey = 'vehicleId' | 'km' | 'total' | 'costPerKm' | 'maintenanceRatio';
const money = (x: number | null) => (x === null ? '—' : Math.round(x).toLocaleString());
const CURRENCIES = ['EUR', 'GBP', 'USD', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'CAD', 'AUD', 'JPY', 'INR', 'ZAR', 'BRL'];
const share = (x: number) => (x >= 0.1 ? `${Math.round(x * 100)} %` : `${(x * 100).toFixed(1)} %`);
/** A span of time as a person says it: "2 h 14 min", "3 days". */
function span(ms: number): string {
  if (ms >= 2 * 86_400_000) return `${Math.round(ms / 86_400_000)} days`;
  const min = Math.round(ms / 60_000);
  return min >= 60 ? `${Math.floor(min / 60)} h ${min % 60} min` : `${min} min`;
}
const INPUT_FIELDS: [keyof VehicleCostInputs, string][] = [
  ['acquisitionCost', 'Acquisition cost'],
  ['acquisitionDate', 'Acquired (YYYY-MM-DD)'],
  ['monthlyLease', 'Lease per month'],
  ['insurancePerYear', 'Insurance per year'],
  ['fuelPricePerL', 'Fuel price per litre'],
  ['consumptionLPer100Km', 'Consumption l/100 km'],
  ['costPerKm', 'or energy cost per km'],
  ['depreciationRatePct', 'Depreciation % a year (15)'],
];

export function CostsPanel() {
  const mayCurrency = useMay('setCostCurrency');
  const [days, setDays] = useState(30);
  const [data, setData] = useState<FleetCost | null>(null);
  const [inputs, setInputs] = useState<VehicleCostInputs[]>([]);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'costPerKm', desc: true });
  const [editing, setEditing] = useState<VehicleCostInputs | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      const now = Date.now();
      const [fc, inp] = await Promise.all([api.call('getFleetCost', { fromMs: now - days * 86_400_000, toMs: now }), api.call('listCostInputs', {})]);
      setData(fc);
      setInputs(inp);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [days]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const rows = useMemo(() => {
    const list = [...(data?.vehicles ?? [])];
    const v = (r: VehicleCost) => (sort.key === 'vehicleId' ? r.vehicleId : (r[sort.key] ?? -1));
    list.sort((a, b) => {
      const x = v(a);
      const y = v(b);
      const c = typeof x === 'string' ? x.localeCompare(y as string) : (x as number) - (y as number);
      return sort.desc ? -c : c;
    });
    return list;
  }, [data, sort]);
  const maxPerKm = Math.max(1e-9, ...rows.map((r) => r.costPerKm ?? 0));
  const head = (key: SortKey, label: string, num = true) => (
    <th className={num ? 'num sortable' : 'sortable'} onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : true }))} aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      {label}
      {sort.key === key ? (sort.desc ? ' ▾' : ' ▴') : ''}
    </th>
  );
  const edit = (vehicleId: string) =>
    setEditing(inputs.find((i) => i.vehicleId === vehicleId) ?? { vehicleId, acquisitionCost: null, acquisitionDate: null, monthlyLease: null, insurancePerYear: null, fuelPricePerL: null, consumptionLPer100Km: null, costPerKm: null, depreciationRatePct: null });
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api.call('saveCostInputs', editing!);
      setEditing(null);
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const importCsv = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    try {
      const r = await api.call('importCostCsv', { text: await file.text() });
      setNote(`Imported ${r.imported} vehicles${r.errors.length ? `; refused: ${r.errors.slice(0, 3).join('; ')}` : ''}.`);
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const t = data?.totals;
  const setCurrency = async (currency: string) => {
    try {
      await api.call('setCostCurrency', { currency });
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const partial = data !== null && data.coverage < 0.9;
  return (
    <div className="scroll costs-panel">
      <div className="row">
        <select aria-label="Period" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {PERIODS.map((p) => (
            <option key={p.days} value={p.days}>
              {p.label}
            </option>
          ))}
        </select>
        <label>
          Amounts in{' '}
          <select aria-label="Currency" disabled={!mayCurrency} title={mayCurrency ? undefined : 'An admin sets the currency'} value={data?.currency ?? 'EUR'} onChange={(e) => void setCurrency(e.target.value)}>
            {[...new Set([data?.currency ?? 'EUR', ...CURRENCIES])].map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label className="button-like">
          Import costs CSV… <input type="file" accept=".csv,text/csv" hidden onChange={importCsv} aria-label="Import costs CSV" />
        </label>
      </div>
      {note && <p className="muted">{note}</p>}
      {error && <p className="error">{error}</p>}
      {t && (
        <p className="fleet-totals">
          Fleet: <b>{money(t.total)}</b> for {Math.round(t.km).toLocaleString()} km = <b>{t.costPerKm === null ? '—' : t.costPerKm.toFixed(3)}</b> per km · fuel {money(t.fuelCost)} · depreciation {money(t.depreciation)} · lease {money(t.lease)} · insurance {money(t.insurance)} · maintenance {money(t.maintenance)} <span className="muted">({data!.currency})</span>
        </p>
      )}
      {partial && (
        <p className="coverage-note" data-testid="coverage-note">
          Telemetry covers {share(data.coverage)} of this period ({span(data.coverage * (data.toMs - data.fromMs))} of {span(data.toMs - data.fromMs)}): the costs are the whole period's, the km only those reported, so no cost per km is given where telemetry covers less than 90 % of the period.
        </p>
      )}
      <div className="table-scroll">
        <table className="grid cost-table" aria-label="Fleet cost">
          <thead>
            <tr>
              {head('vehicleId', 'Vehicle', false)}
              {head('km', 'km')}
              {head('total', 'Total')}
              {head('costPerKm', 'Per km')}
              {head('maintenanceRatio', 'Maint. %')}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <Fragment key={r.vehicleId}>
                <tr data-vehicle={r.vehicleId} className={r.replacementCandidate ? 'replace' : ''} onClick={() => edit(r.vehicleId)} title={r.missing.length ? `Missing: ${r.missing.join(', ')}` : 'Edit cost inputs'}>
                  <td>
                    {r.vehicleId} {r.replacementCandidate && <span className="sev critical">replace?</span>} {r.missing.length > 0 && <span className="muted">(incomplete)</span>}
                  </td>
                  <td className="num">{Math.round(r.km).toLocaleString()}</td>
                  <td className="num">{money(r.total)}</td>
                  <td className="num">
                    {r.costPerKm !== null ? (
                      r.costPerKm.toFixed(3)
                    ) : r.coverage < 0.9 ? (
                      <span className="muted" title={`telemetry covers ${share(r.coverage)} of this period`}>
                        partial data
                      </span>
                    ) : (
                      <span className="muted" title="under 10 km in this period">
                        too few km
                      </span>
                    )}
                    <div className="hbar" style={{ width: `${((r.costPerKm ?? 0) / maxPerKm) * 100}%` }} />
                  </td>
                  <td className="num">{r.maintenanceRatio === null ? '—' : `${(r.maintenanceRatio * 100).toFixed(0)}`}</td>
                </tr>
                {/* the inputs open under the row that was clicked, not below a long table */}
                {editing?.vehicleId === r.vehicleId && (
                  <tr className="detail-row">
                    <td colSpan={5}>
                      <form className="kv-form" onSubmit={save} aria-label={`Cost inputs of ${editing.vehicleId}`}>
                        <h3 className="wide">{editing.vehicleId}</h3>
                        {INPUT_FIELDS.map(([k, label]) => (
                          <label key={k} className="contents">
                            <span className="muted">{label}</span>
                            <input
                              value={editing[k] === null ? '' : String(editing[k])}
                              onChange={(e) => setEditing({ ...editing, [k]: e.target.value === '' ? null : k === 'acquisitionDate' ? e.target.value : Number(e.target.value) })}
                            />
                          </label>
                        ))}
                        <span />
                        <div className="row">
                          <button type="submit">Save</button>
                          <button type="button" onClick={() => setEditing(null)}>
                            Cancel
                          </button>
                        </div>
                      </form>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      {data && <ExportBox vehicleIds={[]} fromMs={data.fromMs} toMs={data.toMs} fixedReport="fleet-cost" />}
      <p className="muted">Replacement candidates: maintenance over {Math.round((data?.replacementThreshold ?? 0.4) * 100)} % of the vehicle's cost. Click a vehicle to edit its inputs.</p>
    </div>
  );
}
