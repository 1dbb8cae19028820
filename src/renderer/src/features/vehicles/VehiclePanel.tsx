// Vehicle list with search (/ to focus, arrows to move, Enter to centre) and the selected vehicle's telemetry.
import { useMemo, useRef, useState, useEffect, type KeyboardEvent } from 'react';
import { EtaBox } from '../eta/EtaBox';
import { useFleet, useMay } from '../../app/store';
import { age, fixed, localTime } from '../../lib/format';
import { STATUS_COLORS } from '../map/vehicle-layer';
import { NotesBox } from '../users/NotesBox';
import { MessagesBox } from './MessagesBox';
import { useDepots, useDepotsLoader } from '../federation/depot-store';

/** Rows drawn at once; a fleet of thousands is found with the search, not by scrolling. */
const MAX_ROWS = 300;

export function VehiclePanel() {
  const mayEta = useMay('getEta');
  const vehicles = useFleet((s) => s.vehicles);
  const selectedId = useFleet((s) => s.selectedVehicleId);
  const select = useFleet((s) => s.select);
  const nowMs = useFleet((s) => s.status?.nowMs ?? Date.now());
  const [query, setQuery] = useState('');
  const search = useRef<HTMLInputElement>(null);
  // headquarters: one depot's vehicles, or all
  useDepotsLoader();
  const depots = useDepots((s) => s.depots);
  const depot = useDepots((s) => s.depot);
  const setDepot = useDepots((s) => s.setDepot);
  const inDepot = useDepots((s) => s.vehicleIds);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== '/') return;
      const active = document.activeElement;
      // in the search box itself, / starts a new search (ids have no slash); in other fields it is text
      if (active === search.current) {
        e.preventDefault();
        search.current?.select();
      } else if (active?.tagName !== 'INPUT' && active?.tagName !== 'TEXTAREA') {
        e.preventDefault();
        search.current?.focus();
        search.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const list = useMemo(() => {
    const q = query.trim().toLowerCase();
    return Object.values(vehicles)
      .filter((v) => (!inDepot || inDepot.has(v.vehicleId)) && (!q || v.vehicleId.toLowerCase().includes(q) || (v.last.driverId ?? '').toLowerCase().includes(q)))
      .sort((a, b) => a.vehicleId.localeCompare(b.vehicleId));
  }, [vehicles, query, inDepot]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (list.length === 0) return;
    const i = list.findIndex((v) => v.vehicleId === selectedId);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = e.key === 'ArrowDown' ? Math.min(list.length - 1, i + 1) : Math.max(0, i - 1);
      select(list[next]!.vehicleId, false);
    } else if (e.key === 'Enter') {
      select(list[Math.max(0, i)]!.vehicleId, true);
    } else if (e.key === 'Escape') {
      setQuery('');
      select(null);
    }
  };

  // the selection stays in view when ↑/↓ move it past the list's edge
  const listRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    if (!selectedId) return;
    listRef.current?.querySelector(`li[data-vehicle-id="${CSS.escape(selectedId)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);

  const selected = selectedId ? vehicles[selectedId] : undefined;
  return (
    <aside className="panel vehicles" aria-label="Vehicles">
      <header className="panel-head">
        <h2>Vehicles</h2>
        <span className="muted">{list.length}</span>
      </header>
      {depots.length > 0 && (
        <select className="depot-filter" value={depot ?? ''} onChange={(e) => setDepot(e.target.value || null)} aria-label="Depot">
          <option value="">All depots ({depots.length})</option>
          {depots.map((d) => (
            <option key={d.id} value={d.id}>
              {d.id} · {d.vehicles.length} vehicles{d.stale ? ' · stale' : ''}
            </option>
          ))}
        </select>
      )}
      <input
        ref={search}
        className="search"
        placeholder="Search vehicle or driver  ( / )"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onKeyDown}
        aria-label="Search vehicles"
      />
      <ul ref={listRef} className="vehicle-list" role="listbox" aria-label="Vehicle list" tabIndex={0} onKeyDown={onKeyDown}>
        {list.length === 0 && query.trim() !== '' && (
          <li className="muted no-match" aria-disabled>
            No vehicle or driver matches “{query.trim()}”
          </li>
        )}
        {list.slice(0, MAX_ROWS).map((v) => (
          <li
            key={v.vehicleId}
            role="option"
            aria-selected={v.vehicleId === selectedId}
            data-vehicle-id={v.vehicleId}
            className={v.vehicleId === selectedId ? 'selected' : ''}
            onClick={() => select(v.vehicleId, true)}
          >
            <span className="dot" style={{ background: STATUS_COLORS[v.status] }} title={v.status} />
            <span className="vid">{v.vehicleId}</span>
            <span className="num">{v.hidden ? <span className="badge private" title="Privacy mode: position hidden">private</span> : `${fixed(v.last.speedKmh, 0)} km/h`}</span>
            <span className="muted age">{age(v.lastSeenMs, nowMs)}</span>
          </li>
        ))}
        {list.length > MAX_ROWS && (
          <li className="more muted" aria-disabled>
            {list.length - MAX_ROWS} more — type in the search to narrow the list
          </li>
        )}
      </ul>
      {selected && (
        <section className="detail" aria-label="Vehicle detail" data-testid="vehicle-detail">
          <h3>
            {selected.vehicleId} <span className={`badge ${selected.status}`}>{selected.status}</span>
          </h3>
          <dl>
            <dt>Fix time</dt>
            <dd>{localTime(selected.last.tsMs, nowMs)}</dd>
            <dt>Position</dt>
            <dd className="num">{selected.hidden ? <span className="muted">hidden: privacy mode (stored for safety)</span> : `${selected.last.lat.toFixed(5)}, ${selected.last.lon.toFixed(5)}`}</dd>
            <dt>Speed</dt>
            <dd>{fixed(selected.last.speedKmh, 0, ' km/h')}</dd>
            <dt>Heading</dt>
            <dd>{fixed(selected.last.headingDeg, 0, '°')}</dd>
            <dt>Fuel</dt>
            <dd>{fixed(selected.last.fuelLevelPct, 0, ' %')}</dd>
            <dt>Engine</dt>
            <dd>{fixed(selected.last.engineRpm, 0, ' rpm')}</dd>
            <dt>Coolant</dt>
            <dd>{fixed(selected.last.coolantTempC, 0, ' °C')}</dd>
            <dt>Odometer</dt>
            <dd>{fixed(selected.last.odometerKm, 1, ' km')}</dd>
            <dt>Ignition</dt>
            <dd>{selected.last.ignition === null ? '—' : selected.last.ignition ? 'on' : 'off'}</dd>
            <dt>GPS</dt>
            <dd>
              HDOP {fixed(selected.last.hdop, 1)} · {selected.last.satellites ?? '—'} sats
            </dd>
            <dt>Driver</dt>
            <dd>{selected.hidden ? 'hidden' : (selected.last.driverId ?? '—')}</dd>
            <dt>DTC</dt>
            <dd>{selected.last.dtcCodes.length ? selected.last.dtcCodes.join(', ') : 'none'}</dd>
          </dl>
          {!selected.hidden && mayEta && <EtaBox vehicleId={selected.vehicleId} />}
          <h4>Messages</h4>
          <MessagesBox vehicleId={selected.vehicleId} />
          <h4>Notes</h4>
          <NotesBox subject="vehicle" subjectId={selected.vehicleId} label={`Notes on ${selected.vehicleId}`} />
        </section>
      )}
    </aside>
  );
}
