// Headquarters: the depots reporting here, and the one the dispatcher narrowed the screen to (vehicle list,
// map and alert queue show only its vehicles and alerts). Loaded while this FleetDesk is headquarters.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { DepotStatus } from '../../../../shared/contract/federation';
import { useFleet } from '../../app/store';
import { api } from '../../lib/api';

interface DepotState {
  depots: DepotStatus[];
  /** The depot shown (null: all). */
  depot: string | null;
  /** Its vehicles, for the filters (null: no filter). */
  vehicleIds: ReadonlySet<string> | null;
  setDepots(d: DepotStatus[]): void;
  setDepot(id: string | null): void;
}

const idsOf = (depots: DepotStatus[], id: string | null) => (id === null ? null : new Set(depots.find((d) => d.id === id)?.vehicles ?? []));

export const useDepots = create<DepotState>((set) => ({
  depots: [],
  depot: null,
  vehicleIds: null,
  setDepots: (depots) => set((s) => ({ depots, vehicleIds: idsOf(depots, s.depot) })),
  setDepot: (depot) => set((s) => ({ depot, vehicleIds: idsOf(s.depots, depot) })),
}));

/** Keeps the depot list fresh while this FleetDesk is headquarters (every 10 s, and when one is added). */
export function useDepotsLoader(): void {
  const hq = useFleet((s) => s.status?.federation?.role === 'headquarters');
  const count = useFleet((s) => s.status?.federation?.depots ?? 0);
  const setDepots = useDepots((s) => s.setDepots);
  useEffect(() => {
    if (!hq) return;
    const load = () => void api.call('listDepots', {}).then(setDepots, () => undefined);
    load();
    const t = setInterval(load, 10_000);
    return () => clearInterval(t);
  }, [hq, count, setDepots]);
}
