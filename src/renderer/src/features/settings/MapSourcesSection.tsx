// Map sources: regional MBTiles files for street-level detail offline, and optional online tiles (off by
// default; FleetDesk fetches and caches them itself, so the page never talks to the internet).
import { useState, type FormEvent } from 'react';
import { useFleet } from '../../app/store';
import { api } from '../../lib/api';
import { useAction } from '../../lib/use-action';

export function MapSourcesSection() {
  const sources = useFleet((s) => s.mapSources);
  const setSources = useFleet((s) => s.setMapSources);
  const [file, setFile] = useState('');
  const { error, act } = useAction();
  const [url, setUrl] = useState<string | null>(null);
  const [attribution, setAttribution] = useState<string | null>(null);
  const run = (p: Promise<Parameters<typeof setSources>[0]>) => act(async () => setSources(await p));
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(api.call('addMbtiles', { path: file.trim() || undefined }))) setFile('');
  };
  if (!sources) return <p className="muted">Loading map sources…</p>;
  const online = sources.online;
  return (
    <section aria-label="Map sources">
      <h3>Map sources</h3>
      <p className="muted">The bundled basemap (countries, borders, place names to zoom ~8) always works offline. Add a regional raster MBTiles file for street detail.</p>
      <ul className="event-list mbtiles-list">
        {sources.mbtiles.length === 0 && <li className="muted">No MBTiles files added.</li>}
        {sources.mbtiles.map((m) => (
          <li key={m.id} data-mbtiles={m.id}>
            <b>{m.name}</b> <span className="muted">zoom {m.minZoom}–{m.maxZoom} · {m.tiles.toLocaleString()} tiles · {m.format}</span>
            <br />
            <span className="muted">{m.file}</span>{' '}
            <button type="button" onClick={() => void run(api.call('removeMbtiles', { id: m.id }))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={add}>
        <input aria-label="MBTiles file" placeholder="/path/to/region.mbtiles (empty: choose a file)" value={file} onChange={(e) => setFile(e.target.value)} />
        <button type="submit">Add MBTiles</button>
      </form>
      <h3>Online tiles</h3>
      <label className="toggle">
        <input
          type="checkbox"
          aria-label="Use online tiles"
          checked={online.enabled}
          onChange={(e) => void run(api.call('setOnlineTiles', { ...online, urlTemplate: url ?? online.urlTemplate, attribution: attribution ?? online.attribution, enabled: e.target.checked }))}
        />{' '}
        Use online tiles (off: no request leaves this machine)
      </label>
      <label className="toggle">
        <input
          type="checkbox"
          aria-label="Allow a tile server on this network"
          checked={online.allowPrivateAddresses === true}
          onChange={(e) => void run(api.call('setOnlineTiles', { ...online, allowPrivateAddresses: e.target.checked }))}
        />{' '}
        Allow a tile server on this machine or the local network (off: FleetDesk never fetches from private addresses)
      </label>
      <div className="kv-form">
        <label htmlFor="tile-url">Tile URL</label>
        <input id="tile-url" value={url ?? online.urlTemplate} onChange={(e) => setUrl(e.target.value)} />
        <label htmlFor="tile-attr">Attribution</label>
        <input id="tile-attr" value={attribution ?? online.attribution} onChange={(e) => setAttribution(e.target.value)} />
      </div>
      <div className="row">
        <button type="button" onClick={() => void run(api.call('setOnlineTiles', { ...online, urlTemplate: url ?? online.urlTemplate, attribution: attribution ?? online.attribution }))}>
          Save tile URL
        </button>
        <span className="muted">
          {sources.cachedOnlineTiles.toLocaleString()} tiles cached · {sources.onlineFetches} fetched since start
        </span>
        {sources.onlineError && <span className="error">last fetch failed: {sources.onlineError}</span>}
      </div>
      {error && <p className="error">{error}</p>}
    </section>
  );
}
