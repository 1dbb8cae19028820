// Map sources: MBTiles files (offline) and the online tile cache, and the tiles the map asks for.
import path from 'node:path';
import type { MapSources, OnlineTileSettings } from '../../../shared/contract/maps';
import { fetchTile, type FetchedTile } from '../../core/maps/tile-fetch';
import { DEFAULT_ONLINE, describeSources, MbtilesSource, OnlineTileCache, validateOnlineSettings } from '../../core/maps/tiles';
import { ApiError } from '../../api/api-error';
import type { Settings } from '../settings/settings';

const MBTILES_KEY = 'maps.mbtiles';
const ONLINE_TILES_KEY = 'maps.online';

export class MapSourceSet {
  private mbtiles: MbtilesSource[] = [];
  private readonly cache: OnlineTileCache;
  private online: OnlineTileSettings;

  constructor(
    private readonly d: {
      settings: Settings;
      dbFile: string;
      /** MBTiles files given at start (besides those added in the UI). */
      files?: string[];
      fetchTile?: (url: string) => Promise<FetchedTile>;
      log: (line: string) => void;
    },
  ) {
    this.online = d.settings.load(ONLINE_TILES_KEY, DEFAULT_ONLINE, (x) => {
      try {
        validateOnlineSettings(x);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    });
    const saved = d.settings.load<string[]>(MBTILES_KEY, [], (x) => (Array.isArray(x) ? null : 'not a list'));
    for (const f of new Set([...(d.files ?? []).map((f) => path.resolve(f)), ...saved])) {
      try {
        this.mbtiles.push(new MbtilesSource(f));
      } catch (err) {
        // a file moved or unplugged: say so and go on with the rest
        d.log(`map tiles: ${(err as Error).message}`);
      }
    }
    this.cache = new OnlineTileCache(`${d.dbFile}.tilecache.mbtiles`, d.fetchTile ?? ((url) => fetchTile(url, { allowPrivateAddresses: this.online.allowPrivateAddresses })));
  }

  describe(): MapSources {
    return describeSources(this.mbtiles, this.online, this.cache);
  }

  /** Adds a raster MBTiles file (once). */
  add(file: string): MapSources {
    let src: MbtilesSource;
    try {
      src = new MbtilesSource(path.resolve(file));
    } catch (err) {
      throw new ApiError('bad_request', (err as Error).message);
    }
    if (this.mbtiles.some((m) => m.info.id === src.info.id)) src.close();
    else this.mbtiles.push(src);
    this.saveList();
    return this.describe();
  }

  remove(id: string): MapSources {
    const i = this.mbtiles.findIndex((m) => m.info.id === id);
    if (i >= 0) {
      this.mbtiles[i]!.close();
      this.mbtiles.splice(i, 1);
      this.saveList();
    }
    return this.describe();
  }

  setOnline(settings: OnlineTileSettings): MapSources {
    try {
      this.online = validateOnlineSettings(settings);
    } catch (err) {
      throw new ApiError('bad_request', (err as Error).message);
    }
    this.d.settings.save(ONLINE_TILES_KEY, this.online);
    return this.describe();
  }

  private saveList(): void {
    this.d.settings.save(MBTILES_KEY, this.mbtiles.map((m) => m.info.file));
  }

  /** A tile for the map, from an MBTiles file or the online cache (fetching only when online tiles are on). */
  async tile(sourceId: string, z: number, x: number, y: number): Promise<{ data: Buffer; contentType: string } | null> {
    if (![z, x, y].every((n) => Number.isInteger(n) && n >= 0) || z > 24 || x >= 2 ** z || y >= 2 ** z) return null;
    if (sourceId === 'online') {
      try {
        return (await this.cache.tile(this.online, z, x, y)) ?? null;
      } catch (err) {
        this.d.log(`online tile ${z}/${x}/${y}: ${(err as Error).message}`);
        return null;
      }
    }
    return this.mbtiles.find((m) => m.info.id === sourceId)?.tile(z, x, y) ?? null;
  }

  close(): void {
    for (const m of this.mbtiles) m.close();
    this.mbtiles = [];
    this.cache.close();
  }
}
