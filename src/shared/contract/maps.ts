// Maps: offline MBTiles files, the optional online tile source, and reference overlays.
import { method, NoParams, Nullable, Type, type Static } from './schema';

/** A regional raster MBTiles file the user added. */
export const MbtilesInfo = Type.Object({
  id: Type.String(),
  file: Type.String(),
  name: Type.String(),
  format: Type.String(),
  minZoom: Type.Number(),
  maxZoom: Type.Number(),
  /** [west, south, east, north] */
  bounds: Nullable(Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()])),
  attribution: Type.String(),
  tiles: Type.Integer(),
});
export type MbtilesInfo = Static<typeof MbtilesInfo>;

export const OnlineTileSettings = Type.Object({
  /** Off by default: a depot works with no network at all. */
  enabled: Type.Boolean(),
  urlTemplate: Type.String(),
  attribution: Type.String(),
  /** A tile server on this machine or the LAN is refused unless the admin turns this on. */
  allowPrivateAddresses: Type.Optional(Type.Boolean()),
});
export type OnlineTileSettings = Static<typeof OnlineTileSettings>;

export const MapSources = Type.Object({
  mbtiles: Type.Array(MbtilesInfo),
  online: OnlineTileSettings,
  /** Online tiles kept on disk (shown offline too). */
  cachedOnlineTiles: Type.Integer(),
  /** Tile requests that left this machine since start. */
  onlineFetches: Type.Integer(),
  /** Why the last online tile could not be fetched (null once one is fetched again). */
  onlineError: Nullable(Type.String()),
});
export type MapSources = Static<typeof MapSources>;

/** Reference lines drawn under the live layers, e.g. the demo city's streets. */
export const MapOverlay = Type.Object({
  name: Type.String(),
  attribution: Type.String(),
  /** Lines as [lon, lat] coordinates; `major` ones are drawn stronger. */
  lines: Type.Array(Type.Object({ major: Type.Boolean(), coordinates: Type.Array(Type.Array(Type.Number())) })),
});
export type MapOverlay = Static<typeof MapOverlay>;

export const mapsMethods = {
  /** Map sources: added MBTiles files and the online-tiles setting. */
  getMapSources: method('viewer', NoParams, MapSources),
  /** Adds a raster MBTiles file (a path on the FleetDesk machine; the desktop app asks with a dialog when none is given). */
  addMbtiles: method('admin', Type.Object({ path: Type.Optional(Type.String()) }), MapSources),
  removeMbtiles: method('admin', Type.Object({ id: Type.String() }), MapSources),
  setOnlineTiles: method('admin', OnlineTileSettings, MapSources),
  /** Extra reference lines for the offline basemap (the demo city's streets), if any. */
  getMapOverlay: method('viewer', NoParams, Nullable(MapOverlay)),
};
