// Map tile sources for offline depots: regional MBTiles files (raster tiles in SQLite) the user adds,
// and optional online tiles (off by default) fetched by FleetDesk itself — never by the page — and
// cached on disk in an MBTiles file so they keep working offline. The bundled basemap (country
// outlines and place names) needs no tiles at all.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MapSources, MbtilesInfo, OnlineTileSettings } from '../../../shared/contract/maps';

const RASTER_FORMATS: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp' };

export const DEFAULT_ONLINE: OnlineTileSettings = {
  enabled: false,
  urlTemplate: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  attribution: '© OpenStreetMap contributors',
  allowPrivateAddresses: false,
};

export class TileSourceError extends Error {}

export class MbtilesSource {
  readonly info: MbtilesInfo;
  private readonly db: Database.Database;
  private readonly stmt: Database.Statement;

  constructor(file: string) {
    // One message whether the file is missing, unreadable or something else: the answer must not
    // tell a caller which files exist on this machine.
    const unusable = () => new TileSourceError(`${path.basename(file)} could not be opened as an MBTiles map (missing, unreadable, or not an MBTiles file)`);
    if (!existsSync(file) || !statSync(file).isFile()) throw unusable();
    try {
      this.db = new Database(file, { readonly: true, fileMustExist: true });
      const meta = Object.fromEntries((this.db.prepare(`SELECT name, value FROM metadata`).all() as { name: string; value: string }[]).map((r) => [r.name, r.value]));
      this.db.prepare(`SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1`).all();
      const format = String(meta['format'] ?? 'png').toLowerCase();
      if (!RASTER_FORMATS[format]) {
        throw new TileSourceError(`${path.basename(file)} holds ${format} tiles; FleetDesk shows raster MBTiles (png, jpg or webp)`);
      }
      const zooms = this.db.prepare(`SELECT min(zoom_level) AS lo, max(zoom_level) AS hi, count(*) AS n FROM tiles`).get() as { lo: number | null; hi: number | null; n: number };
      if (!zooms.n) throw new TileSourceError(`${path.basename(file)} has no tiles`);
      const b = String(meta['bounds'] ?? '').split(',').map(Number);
      this.info = {
        id: createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 12),
        file: path.resolve(file),
        name: String(meta['name'] ?? path.basename(file, path.extname(file))),
        format,
        minZoom: Number(meta['minzoom'] ?? zooms.lo),
        maxZoom: Number(meta['maxzoom'] ?? zooms.hi),
        bounds: b.length === 4 && b.every(Number.isFinite) ? (b as [number, number, number, number]) : null,
        attribution: String(meta['attribution'] ?? '').replace(/<[^>]*>/g, ''), // text only: never inject markup from a file
        tiles: zooms.n,
      };
      this.stmt = this.db.prepare(`SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`).pluck();
    } catch (err) {
      if (err instanceof TileSourceError) throw err;
      throw unusable();
    }
  }

  /** A tile in XYZ numbering (MBTiles rows count from the south: TMS). */
  tile(z: number, x: number, y: number): { data: Buffer; contentType: string } | null {
    const row = (1 << z) - 1 - y;
    const data = this.stmt.get(z, x, row) as Buffer | undefined;
    return data ? { data, contentType: RASTER_FORMATS[this.info.format]! } : null;
  }

  close(): void {
    this.db.close();
  }
}

/** Online tiles fetched by FleetDesk and kept in an MBTiles cache file (so they keep working offline). */
export class OnlineTileCache {
  private readonly db: Database.Database;
  /** Requests that left this machine (the offline test checks this stays 0). */
  fetches = 0;
  /** Why the last fetch failed; null after a good one. */
  lastError: string | null = null;

  constructor(
    file: string,
    private readonly fetchTile: (url: string) => Promise<{ ok: boolean; status: number; data: Buffer; contentType: string }>,
  ) {
    this.db = new Database(file);
    this.db.exec(`CREATE TABLE IF NOT EXISTS metadata (name TEXT PRIMARY KEY, value TEXT);
      CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB, source TEXT, fetched_ms INTEGER,
        PRIMARY KEY (source, zoom_level, tile_column, tile_row));`);
  }

  cachedTiles(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM tiles`).get() as { n: number }).n;
  }

  async tile(settings: OnlineTileSettings, z: number, x: number, y: number): Promise<{ data: Buffer; contentType: string } | null> {
    const row = (1 << z) - 1 - y;
    const hit = this.db.prepare(`SELECT tile_data FROM tiles WHERE source = ? AND zoom_level = ? AND tile_column = ? AND tile_row = ?`).pluck().get(settings.urlTemplate, z, x, row) as Buffer | undefined;
    if (hit) return { data: hit, contentType: 'image/png' };
    if (!settings.enabled) return null; // offline: the cache only
    const url = settings.urlTemplate.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y));
    this.fetches++;
    let res: Awaited<ReturnType<typeof this.fetchTile>>;
    try {
      res = await this.fetchTile(url);
    } catch (err) {
      this.lastError = (err as Error).message;
      throw err;
    }
    if (!res.ok) {
      this.lastError = `the tile server answered HTTP ${res.status}`;
      return null;
    }
    this.lastError = null;
    this.db.prepare(`INSERT OR REPLACE INTO tiles (source, zoom_level, tile_column, tile_row, tile_data, fetched_ms) VALUES (?, ?, ?, ?, ?, ?)`).run(settings.urlTemplate, z, x, row, res.data, Date.now());
    return { data: res.data, contentType: res.contentType };
  }

  close(): void {
    this.db.close();
  }
}

export function validateOnlineSettings(s: unknown): OnlineTileSettings {
  const o = s as Partial<OnlineTileSettings> | null;
  if (!o || typeof o.enabled !== 'boolean') throw new TileSourceError('enabled must be true or false');
  const urlTemplate = typeof o.urlTemplate === 'string' && o.urlTemplate.trim() ? o.urlTemplate.trim() : DEFAULT_ONLINE.urlTemplate;
  let u: URL;
  try {
    u = new URL(urlTemplate.replace('{z}', '0').replace('{x}', '0').replace('{y}', '0'));
  } catch {
    throw new TileSourceError(`not a URL: ${urlTemplate}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new TileSourceError('tile URLs must be http or https');
  if (!['{z}', '{x}', '{y}'].every((k) => urlTemplate.includes(k))) throw new TileSourceError('the tile URL needs {z}, {x} and {y}');
  if (u.username || u.password) throw new TileSourceError('a tile URL cannot carry a user name or password');
  return {
    enabled: o.enabled,
    urlTemplate,
    attribution: typeof o.attribution === 'string' && o.attribution.trim() ? o.attribution.trim().slice(0, 200) : DEFAULT_ONLINE.attribution,
    allowPrivateAddresses: o.allowPrivateAddresses === true,
  };
}

export function describeSources(mbtiles: MbtilesSource[], online: OnlineTileSettings, cache: OnlineTileCache | null): MapSources {
  return { mbtiles: mbtiles.map((m) => m.info), online, cachedOnlineTiles: cache?.cachedTiles() ?? 0, onlineFetches: cache?.fetches ?? 0, onlineError: cache?.lastError ?? null };
}
