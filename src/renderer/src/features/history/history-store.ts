// History view state: what was asked, what came back, and the replay cursor. Separate from the live
// fleet store: loading a month of history never touches the live map's state.
import { create } from 'zustand';
import type { HistorySettings, VehicleHistory } from '../../../../shared/contract/history';
import type { PrivacyUnlock } from '../../../../shared/contract/privacy';
import { api } from '../../lib/api';

export const REPLAY_SPEEDS = [1, 2, 5, 10, 30, 60] as const;
export const TRACK_COLOURS = ['#4fc3f7', '#ffb74d', '#ba68c8', '#81c784', '#f06292', '#fff176'];

export interface HistoryState {
  vehicleIds: string[];
  fromMs: number;
  toMs: number;
  settings: HistorySettings;
  results: VehicleHistory[] | null;
  loading: boolean;
  error: string | null;
  /** Replay cursor, UTC epoch ms (null before anything is loaded). */
  cursorMs: number | null;
  playing: boolean;
  speed: (typeof REPLAY_SPEEDS)[number];
  /** Douglas–Peucker tolerance the map asks for: about one screen pixel, in metres. */
  toleranceM: number | undefined;
  /** A supervisor's privacy unlock (history and exports include private data until it runs out). */
  unlock: PrivacyUnlock | null;
  setUnlock(u: PrivacyUnlock | null): void;
  load(vehicleIds: string[], fromMs: number, toMs: number, settings?: Partial<HistorySettings>): Promise<void>;
  clear(): void;
  setCursor(ms: number): void;
  setPlaying(on: boolean): void;
  setSpeed(speed: (typeof REPLAY_SPEEDS)[number]): void;
  setTolerance(m: number): void;
}

export const useHistory = create<HistoryState>((set, get) => ({
  vehicleIds: [],
  fromMs: 0,
  toMs: 0,
  settings: { stopSpeedKmh: 3, minStopMin: 5 },
  results: null,
  loading: false,
  error: null,
  cursorMs: null,
  playing: false,
  speed: 10,
  toleranceM: undefined,
  unlock: null,
  setUnlock(unlock) {
    set({ unlock });
  },
  async load(vehicleIds, fromMs, toMs, settings) {
    const merged = { ...get().settings, ...settings };
    set({ vehicleIds, fromMs, toMs, settings: merged, loading: true, error: null, playing: false });
    try {
      const unlock = get().unlock;
      const unlockToken = unlock && unlock.untilMs > Date.now() ? unlock.token : undefined;
      const results = await api.call('getHistory', { vehicleIds, fromMs, toMs, settings: merged, toleranceM: get().toleranceM, unlockToken });
      // replay starts where there is something to see: the first stored fix of the range, not its start
      const firsts = results.map((h) => h.track[0]?.[0]).filter((t): t is number => t !== undefined);
      set({ results, loading: false, cursorMs: firsts.length ? Math.max(fromMs, Math.min(...firsts)) : fromMs });
    } catch (err) {
      set({ loading: false, error: (err as Error).message });
    }
  },
  clear() {
    set({ results: null, cursorMs: null, playing: false, error: null });
  },
  setCursor(ms) {
    const { fromMs, toMs } = get();
    set({ cursorMs: Math.max(fromMs, Math.min(toMs, ms)) });
  },
  setPlaying(on) {
    set({ playing: on });
  },
  setSpeed(speed) {
    set({ speed });
  },
  setTolerance(m) {
    set({ toleranceM: m });
  },
}));

/** Where a vehicle was at a time, interpolated between the drawn track's vertices (null outside its track). */
export function positionAt(h: VehicleHistory, tsMs: number): { lat: number; lon: number; speedKmh: number | null } | null {
  const t = h.track;
  if (t.length === 0 || tsMs < t[0]![0] || tsMs > t[t.length - 1]![0]) return null;
  if (h.hidden.some((r) => tsMs >= r.fromMs && tsMs <= r.toMs)) return null; // privacy mode
  let lo = 0;
  let hi = t.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t[mid]![0] <= tsMs) lo = mid;
    else hi = mid;
  }
  const a = t[lo]!;
  const b = t[hi]!;
  const f = b[0] === a[0] ? 0 : (tsMs - a[0]) / (b[0] - a[0]);
  return { lat: a[1] + (b[1] - a[1]) * f, lon: a[2] + (b[2] - a[2]) * f, speedKmh: a[3] };
}

/** The track cut at privacy-hidden stretches: no line is drawn across one. */
export function trackRuns(h: VehicleHistory): VehicleHistory['track'][] {
  if (h.hidden.length === 0) return [h.track];
  const runs: VehicleHistory['track'][] = [];
  let cur: VehicleHistory['track'] = [];
  for (const v of h.track) {
    const prev = cur[cur.length - 1];
    if (prev && h.hidden.some((r) => r.fromMs > prev[0] && r.fromMs <= v[0])) {
      runs.push(cur);
      cur = [];
    }
    cur.push(v);
  }
  if (cur.length) runs.push(cur);
  return runs;
}
