// Geofences: draw (polygon, circle, corridor), edit the shape on the map, set name, category, colour
// and rules, delete; import and export GeoJSON and KML. The service validates and says what is wrong.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FenceGeometry, FenceRules, Geofence, GeofenceCategory } from '../../../../shared/contract/fences';
import { FENCE_CATEGORIES, FENCE_DEFAULT_COLORS } from '../../../../shared/fence-geojson';
import { useFleet, useMay } from '../../app/store';
import { api } from '../../lib/api';
import { useFencesFromHq } from '../federation/pushed-fences';
import { cancelDraw, clearPreview, draw, editedGeometry, isEditing, setCircleRadius, startEditing, stopEditing, zoomToFence, type DrawShape } from './editor';

/** How often the form reads the shape back while it is dragged on the map. */
const LIVE_SHAPE_MS = 200;
import { download, fencesAsGeoJsonText, fencesAsKml, parseFenceFile } from './fence-files';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

interface Draft {
  id?: string;
  name: string;
  category: GeofenceCategory;
  color: string;
  geometry: FenceGeometry;
  speedLimitKmh: string;
  entryDelayS: string;
  dwellAlertMin: string;
  scheduleOn: boolean;
  days: number[];
  from: string;
  to: string;
  timeZone: string;
}

const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
const minutes = (t: string) => {
  const [h, m] = t.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

function draftOf(f: Pick<Geofence, 'name' | 'category' | 'color' | 'geometry' | 'rules'> & { id?: string }): Draft {
  const r = f.rules ?? {};
  return {
    id: f.id,
    name: f.name,
    category: f.category,
    color: f.color,
    geometry: f.geometry,
    speedLimitKmh: r.speedLimitKmh?.toString() ?? '',
    entryDelayS: r.entryDelayS?.toString() ?? '',
    dwellAlertMin: r.dwellAlertMin?.toString() ?? '',
    scheduleOn: r.schedule !== undefined,
    days: r.schedule?.days ?? [1, 2, 3, 4, 5],
    from: hhmm(r.schedule?.startMin ?? 7 * 60),
    to: hhmm(r.schedule?.endMin ?? 19 * 60),
    timeZone: r.schedule?.timeZone ?? LOCAL_ZONE,
  };
}

function rulesOf(d: Draft): FenceRules {
  const rules: FenceRules = {};
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const limit = num(d.speedLimitKmh);
  const delay = num(d.entryDelayS);
  const dwell = num(d.dwellAlertMin);
  if (limit !== undefined) rules.speedLimitKmh = limit;
  if (delay !== undefined) rules.entryDelayS = delay;
  if (dwell !== undefined) rules.dwellAlertMin = dwell;
  if (d.scheduleOn) rules.schedule = { days: d.days, startMin: minutes(d.from), endMin: minutes(d.to), timeZone: d.timeZone.trim() };
  return rules;
}

function describe(g: FenceGeometry): string {
  if (g.type === 'Circle') return `circle, ${Math.round(g.radiusM)} m radius`;
  if (g.type === 'Corridor') return `corridor, ${g.line.length} points, ${g.widthM} m wide`;
  if (g.type === 'MultiPolygon') return `${g.coordinates.length} polygons`;
  return `polygon, ${g.coordinates[0]!.length - 1} corners${g.coordinates.length > 1 ? `, ${g.coordinates.length - 1} hole(s)` : ''}`;
}

function FenceForm({ draft, onClose, onSaved }: { draft: Draft; onClose: () => void; onSaved?: () => void }) {
  // a depot: a fence headquarters pushed is changed there (the next push would undo a change made here)
  const fromHq = useFencesFromHq();
  const pushed = draft.id !== undefined && fromHq?.ids.has(draft.id) === true;
  const mayEdit = useMay('saveGeofence') && !pushed;
  const [d, setD] = useState(draft);
  const [message, setMessage] = useState<string | null>(null);
  const [shapeEditing, setShapeEditing] = useState(false);
  const selectFence = useFleet((s) => s.selectFence);
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    setD(draft);
    setMessage(null);
    setShapeEditing(false);
    nameRef.current?.focus();
    nameRef.current?.select();
    return () => {
      stopEditing();
      if (!draft.id) clearPreview();
    };
  }, [draft]);
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const corridorWidth = d.geometry.type === 'Corridor' ? d.geometry.widthM : undefined;
  // while the shape is dragged on the map, the heading (and a circle's radius field) follow it
  const [live, setLive] = useState<FenceGeometry | null>(null);
  useEffect(() => {
    if (!shapeEditing || !d.id) {
      setLive(null);
      return;
    }
    const id = d.id;
    const t = setInterval(() => setLive(editedGeometry(id, corridorWidth)), LIVE_SHAPE_MS);
    return () => clearInterval(t);
  }, [shapeEditing, d.id, corridorWidth]);
  const shown = live ?? d.geometry;
  const save = async () => {
    let geometry = d.id && isEditing(d.id) ? (editedGeometry(d.id, corridorWidth) ?? d.geometry) : d.geometry;
    if (geometry.type === 'Corridor' && corridorWidth !== undefined) geometry = { ...geometry, widthM: corridorWidth };
    try {
      const saved = await api.call('saveGeofence', { id: d.id, name: d.name, category: d.category, color: d.color, geometry, rules: rulesOf(d) });
      stopEditing();
      setShapeEditing(false);
      setMessage(null);
      onSaved?.();
      selectFence(saved.id);
    } catch (err) {
      setMessage((err as Error).message);
    }
  };
  const remove = async () => {
    if (!d.id || !window.confirm(`Delete geofence "${d.name}"? Its alerts stay in the history.`)) return;
    await api.call('deleteGeofence', { id: d.id });
    onClose();
  };
  return (
    <form
      className="fence-form"
      aria-label="Geofence properties"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <h3>{d.id ? 'Geofence' : 'New geofence'}</h3>
      {pushed && (
        <p className="muted" data-testid="fence-from-hq">
          From headquarters (version {fromHq!.version}, by {fromHq!.by}): changed there — the next push replaces it here.
        </p>
      )}
      {/* a viewer reads a fence's properties; nothing there can be changed */}
      <fieldset className="plain" disabled={!mayEdit}>
      <span className="hint" data-testid="fence-shape">{describe(shown)}</span>
      {shown.type === 'Circle' && (
        <>
          <label htmlFor="fence-radius">Radius (m)</label>
          <input
            id="fence-radius"
            type="number"
            min={1}
            max={100_000}
            step={1}
            value={Math.round(shown.radiusM)}
            onChange={(e) => {
              const radiusM = Number(e.target.value);
              if (!(radiusM > 0)) return;
              setLive(null);
              set({ geometry: { ...shown, radiusM } });
              setCircleRadius(d.id, radiusM);
            }}
          />
        </>
      )}
      <label htmlFor="fence-name">Name</label>
      <input id="fence-name" ref={nameRef} value={d.name} onChange={(e) => set({ name: e.target.value })} maxLength={120} required />
      <label htmlFor="fence-category">Category</label>
      <select
        id="fence-category"
        value={d.category}
        onChange={(e) => {
          const category = e.target.value as GeofenceCategory;
          // a colour still at its category's default follows the category
          set({ category, color: d.color === FENCE_DEFAULT_COLORS[d.category] ? FENCE_DEFAULT_COLORS[category] : d.color });
        }}
      >
        {FENCE_CATEGORIES.map((c) => (
          <option key={c} value={c}>
            {c.replace('_', ' ')}
          </option>
        ))}
      </select>
      <label htmlFor="fence-color">Colour</label>
      <input id="fence-color" type="color" value={d.color} onChange={(e) => set({ color: e.target.value })} />
      {d.geometry.type === 'Corridor' && (
        <>
          <label htmlFor="fence-width">Width (m)</label>
          <input
            id="fence-width"
            type="number"
            min={1}
            value={d.geometry.widthM}
            onChange={(e) => set({ geometry: { ...(d.geometry as Extract<FenceGeometry, { type: 'Corridor' }>), widthM: Number(e.target.value) } })}
          />
        </>
      )}
      <label htmlFor="fence-speed">Speed limit (km/h)</label>
      <input id="fence-speed" type="number" min={1} max={300} placeholder="vehicle class limit" value={d.speedLimitKmh} onChange={(e) => set({ speedLimitKmh: e.target.value })} />
      <label htmlFor="fence-delay">Entry delay (s)</label>
      <input id="fence-delay" type="number" min={1} max={3600} placeholder="none (fires at once)" value={d.entryDelayS} onChange={(e) => set({ entryDelayS: e.target.value })} />
      <label htmlFor="fence-dwell">Dwell alert (min)</label>
      <input id="fence-dwell" type="number" min={1} placeholder="off" value={d.dwellAlertMin} onChange={(e) => set({ dwellAlertMin: e.target.value })} />
      <label>
        <input type="checkbox" checked={d.scheduleOn} onChange={(e) => set({ scheduleOn: e.target.checked })} /> Schedule
      </label>
      <span className="hint">{d.scheduleOn ? 'alerts only inside this window' : 'always active'}</span>
      {d.scheduleOn && (
        <>
          <span>Days</span>
          <span className="days">
            {DAYS.map((name, i) => (
              <label key={name}>
                <input type="checkbox" checked={d.days.includes(i)} onChange={(e) => set({ days: e.target.checked ? [...d.days, i].sort() : d.days.filter((x) => x !== i) })} />
                {name}
              </label>
            ))}
          </span>
          <label htmlFor="fence-from">From – to</label>
          <span className="days">
            <input id="fence-from" type="time" value={d.from} onChange={(e) => set({ from: e.target.value })} />
            <input aria-label="to" type="time" value={d.to} onChange={(e) => set({ to: e.target.value })} />
          </span>
          <label htmlFor="fence-tz">Time zone</label>
          <input id="fence-tz" value={d.timeZone} onChange={(e) => set({ timeZone: e.target.value })} />
        </>
      )}
      {message && (
        <div className="message" role="alert">
          {message}
        </div>
      )}
      </fieldset>
      <div className="actions">
        {mayEdit && <button type="submit">Save</button>}
        {mayEdit && d.id && (
          <button
            type="button"
            aria-pressed={shapeEditing}
            onClick={() => {
              if (shapeEditing) {
                stopEditing();
                setShapeEditing(false);
              } else setShapeEditing(startEditing(d.id!));
            }}
            title="Drag corners or the whole shape on the map, then Save"
          >
            {shapeEditing ? 'Stop editing shape' : 'Edit shape'}
          </button>
        )}
        {mayEdit && d.id && (
          <button type="button" onClick={() => void remove()}>
            Delete
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

export function FencesPanel() {
  const geofences = useFleet((s) => s.geofences);
  const fromHq = useFencesFromHq();
  const selectedId = useFleet((s) => s.selectedFenceId);
  const selectFence = useFleet((s) => s.selectFence);
  const [drawing, setDrawing] = useState<DrawShape | null>(null);
  const [newDraft, setNewDraft] = useState<Draft | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const sorted = useMemo(() => [...geofences].sort((a, b) => a.name.localeCompare(b.name)), [geofences]);
  const selected = geofences.find((f) => f.id === selectedId);
  const selectedDraft = useMemo(() => (selected ? draftOf(selected) : null), [selected]);

  const startDraw = async (shape: DrawShape) => {
    setDrawing(shape);
    setNewDraft(null);
    selectFence(null);
    const geometry = await draw(shape);
    setDrawing(null);
    if (!geometry) return;
    setNewDraft(draftOf({ name: `New ${shape.toLowerCase()}`, category: 'other', color: FENCE_DEFAULT_COLORS.other, geometry, rules: {} }));
  };

  const importFile = async (file: File) => {
    setReport(null);
    let parsed;
    try {
      parsed = parseFenceFile(file.name, await file.text());
    } catch (err) {
      setReport((err as Error).message);
      return;
    }
    const refused: string[] = [];
    let saved = 0;
    for (const [i, f] of parsed.entries()) {
      try {
        await api.call('saveGeofence', { id: f.id, name: f.name, category: f.category, color: f.color, geometry: f.geometry as FenceGeometry, rules: f.rules });
        saved++;
      } catch (err) {
        refused.push(`feature ${i + 1}: ${(err as Error).message}`);
      }
    }
    setReport(`Imported ${saved} of ${parsed.length} fence(s) from ${file.name}.${refused.length ? `\nRefused:\n${refused.join('\n')}` : ''}`);
  };

  const mayEdit = useMay('saveGeofence');
  return (
    <section className="fences" aria-label="Geofences">
      <div className="fence-tools">
        {mayEdit && (
          <>
        <button type="button" onClick={() => void startDraw('Polygon')} disabled={drawing !== null} title="Click corners on the map; click the first corner to finish">
          Draw polygon
        </button>
        <button type="button" onClick={() => void startDraw('Circle')} disabled={drawing !== null} title="Click the centre, then click again at the radius">
          Draw circle
        </button>
        <button type="button" onClick={() => void startDraw('Corridor')} disabled={drawing !== null} title="Click along the route; double-click (or click the last point) to finish">
          Draw corridor
        </button>
        <button type="button" onClick={() => fileRef.current?.click()}>
          Import…
        </button>
          </>
        )}
        <input ref={fileRef} type="file" accept=".geojson,.json,.kml" hidden aria-label="Import geofences file" onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0]).finally(() => (e.target.value = ''))} />
        <button type="button" onClick={() => download('fleetdesk-geofences.geojson', fencesAsGeoJsonText(geofences), 'application/geo+json')} disabled={geofences.length === 0}>
          Export GeoJSON
        </button>
        <button type="button" onClick={() => download('fleetdesk-geofences.kml', fencesAsKml(geofences), 'application/vnd.google-earth.kml+xml')} disabled={geofences.length === 0}>
          Export KML
        </button>
      </div>
      {drawing && (
        <p className="drawing-hint" role="status">
          Drawing a {drawing.toLowerCase()} on the map…{' '}
          <button type="button" onClick={() => cancelDraw()}>
            Cancel
          </button>
        </p>
      )}
      {report && (
        <p className="muted empty" role="status" style={{ whiteSpace: 'pre-wrap' }}>
          {report}
        </p>
      )}
      <ul className="fence-list">
        {sorted.map((f) => (
          <li
            key={f.id}
            className={f.id === selectedId ? 'selected' : ''}
            data-fence-id={f.id}
            onClick={() => {
              setNewDraft(null);
              selectFence(f.id);
              zoomToFence(f.id);
            }}
          >
            <span className="swatch" style={{ background: f.color }} />
            <span>{f.name}</span>
            {fromHq?.ids.has(f.id) && (
              <span className="badge depot" title={`From headquarters, version ${fromHq.version}: changed there`}>
                HQ
              </span>
            )}
            <span className="muted">
              {f.category.replace('_', ' ')}
              {f.rules.speedLimitKmh ? ` · ${f.rules.speedLimitKmh} km/h` : ''}
              {f.rules.schedule ? ' · scheduled' : ''}
            </span>
          </li>
        ))}
        {sorted.length === 0 && <li className="muted">No geofences yet: draw one or import a file.</li>}
      </ul>
      {newDraft && <FenceForm draft={newDraft} onClose={() => setNewDraft(null)} onSaved={() => setNewDraft(null)} />}
      {!newDraft && selectedDraft && <FenceForm draft={selectedDraft} onClose={() => selectFence(null)} />}
    </section>
  );
}
