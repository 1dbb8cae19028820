// Map methods: sources (MBTiles files, online tiles) and the demo city's reference streets.
import type { mapsMethods } from '../../../shared/contract/maps';
import { DemoFleet } from '../../core/sim/demo-fleet';
import { ApiError } from '../../api/api-error';
import type { HandlersOf } from '../../api/handlers';
import type { MapSourceSet } from './sources';

export function mapsHandlers(d: {
  sources: MapSourceSet;
  /** Desktop app: ask for an MBTiles file (the native dialog); null = cancelled. */
  chooseMbtilesFile?: () => Promise<string | null>;
  demoSeed: number | undefined | null;
}): HandlersOf<typeof mapsMethods> {
  const { sources } = d;
  return {
    getMapSources: async () => sources.describe(),
    addMbtiles: async (p) => {
      let file = p.path?.trim() || null;
      if (!file && d.chooseMbtilesFile) file = await d.chooseMbtilesFile();
      if (file) return sources.add(file);
      if (d.chooseMbtilesFile) return sources.describe(); // the dialog was cancelled
      throw new ApiError('bad_request', 'Give the path of an .mbtiles file on the FleetDesk machine.');
    },
    removeMbtiles: async (p) => sources.remove(p.id),
    setOnlineTiles: async (p) => sources.setOnline(p),
    getMapOverlay: async () => {
      if (d.demoSeed === null) return null;
      const fleet = new DemoFleet({ vehicles: 0, seed: d.demoSeed, startMs: 0 });
      return {
        name: 'Demo city streets',
        attribution: 'Demo streets: synthetic',
        lines: fleet.streets().map((f) => ({ major: f.properties.arterial, coordinates: f.geometry.coordinates })),
      };
    },
  };
}
