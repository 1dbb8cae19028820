// What the Jobs tab shows on the map: the open job's stops and, while choosing a vehicle, a line from each
// suggested vehicle to the first stop with its ETA; and the map click that places a new stop. Cleared when
// the tab or the job goes (an overlay goes with its owner).
import { create } from 'zustand';

export interface JobsOverlay {
  stops: { seq: number; name: string; lat: number; lon: number; radiusM: number; status: string }[];
  lines: { vehicleId: string; rank: number; lat: number; lon: number; label: string }[];
}

interface JobsMapState {
  overlay: JobsOverlay | null;
  /** A map click places a stop here while set (Esc stops). */
  pick: ((lat: number, lon: number) => void) | null;
  setOverlay(o: JobsOverlay | null): void;
  setPick(fn: ((lat: number, lon: number) => void) | null): void;
}

export const useJobsMap = create<JobsMapState>((set) => ({
  overlay: null,
  pick: null,
  setOverlay: (overlay) => set({ overlay }),
  setPick: (pick) => set({ pick }),
}));
