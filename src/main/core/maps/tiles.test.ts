import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { solidPng, writeMbtiles } from '../../../../test/tiles-fixture';
import { DEFAULT_ONLINE, MbtilesSource, OnlineTileCache, validateOnlineSettings } from './tiles';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

async function fetchTile(url: string) {
  const res = await fetch(url);
  return { ok: res.ok, status: res.status, data: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') ?? '' };
}

describe('MBTiles', () => {
  it('serves tiles in XYZ numbering from TMS rows, with the file metadata', () => {
    const file = path.join(tempDir(), 'region.mbtiles');
    const red = solidPng(255, 0, 0);
    writeMbtiles(file, { name: 'West Midlands', format: 'png', minzoom: '10', maxzoom: '12', bounds: '-2.1,52.3,-1.7,52.6', attribution: '<a href="x">© OSM</a>' }, [{ z: 10, x: 506, y: 338, data: red }]);
    const src = new MbtilesSource(file);
    cleanup.push(() => src.close());
    expect(src.info).toMatchObject({ name: 'West Midlands', format: 'png', minZoom: 10, maxZoom: 12, bounds: [-2.1, 52.3, -1.7, 52.6], attribution: '© OSM', tiles: 1 });
    expect(src.tile(10, 506, 338)).toEqual({ data: red, contentType: 'image/png' });
    expect(src.tile(10, 506, (1 << 10) - 1 - 338)).toBeNull(); // the TMS row number is not the XYZ one
  });

  it('refuses vector tiles and files that are not MBTiles, saying why', () => {
    const dir = tempDir();
    const vec = path.join(dir, 'v.mbtiles');
    writeMbtiles(vec, { name: 'v', format: 'pbf' }, [{ z: 0, x: 0, y: 0, data: Buffer.from([1]) }]);
    expect(() => new MbtilesSource(vec)).toThrow('v.mbtiles holds pbf tiles; FleetDesk shows raster MBTiles (png, jpg or webp)');
    // a missing file, a directory and a file that is not a database all get the same answer
    const unusable = (name: string) => `${name} could not be opened as an MBTiles map (missing, unreadable, or not an MBTiles file)`;
    expect(() => new MbtilesSource(path.join(dir, 'missing.mbtiles'))).toThrow(unusable('missing.mbtiles'));
    expect(() => new MbtilesSource(dir)).toThrow(unusable(path.basename(dir)));
    const notDb = path.join(dir, 'x.mbtiles');
    writeFileSync(notDb, 'hello');
    expect(() => new MbtilesSource(notDb)).toThrow(unusable('x.mbtiles'));
  });
});

describe('online tiles', () => {
  it('fetches only when switched on, keeps what it fetched, and serves the cache offline', async () => {
    const png = solidPng(0, 0, 255);
    let hits = 0;
    const server = http.createServer((req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => server.close());
    const port = (server.address() as { port: number }).port;
    const cache = new OnlineTileCache(path.join(tempDir(), 'cache.mbtiles'), fetchTile);
    cleanup.push(() => cache.close());
    const settings = validateOnlineSettings({ enabled: false, urlTemplate: `http://127.0.0.1:${port}/{z}/{x}/{y}.png` });
    expect(await cache.tile(settings, 3, 4, 2)).toBeNull(); // off: nothing leaves the machine
    expect(hits).toBe(0);
    expect(await cache.tile({ ...settings, enabled: true }, 3, 4, 2)).toEqual({ data: png, contentType: 'image/png' });
    expect(hits).toBe(1);
    expect(cache.fetches).toBe(1);
    // switched off again: the tile it has is still shown, from disk
    expect((await cache.tile(settings, 3, 4, 2))?.data).toEqual(png);
    expect(hits).toBe(1);
    expect(cache.cachedTiles()).toBe(1);
  });

  it('validates the tile URL', () => {
    expect(validateOnlineSettings({ enabled: true })).toEqual({ ...DEFAULT_ONLINE, enabled: true });
    expect(() => validateOnlineSettings({ enabled: true, urlTemplate: 'file:///etc/{z}/{x}/{y}' })).toThrow('http or https');
    expect(() => validateOnlineSettings({ enabled: true, urlTemplate: 'https://t.example/{z}/{x}.png' })).toThrow('{z}, {x} and {y}');
    expect(() => validateOnlineSettings({ enabled: 'yes' })).toThrow('enabled must be true or false');
  });
});
