// A depot: which of its geofences came from headquarters (changed there only: the next push replaces them
// here). Read again whenever the fences change — a push arriving changes them.
import { useEffect, useState } from 'react';
import { useFleet } from '../../app/store';
import { api } from '../../lib/api';

export interface FencesFromHq {
  ids: ReadonlySet<string>;
  version: number;
  by: string;
}

export function useFencesFromHq(): FencesFromHq | null {
  const geofences = useFleet((s) => s.geofences);
  const [state, setState] = useState<FencesFromHq | null>(null);
  useEffect(() => {
    let alive = true;
    api.call('getFederation', {}).then(
      (f) => alive && setState(f.role === 'depot' && f.pushedFences ? { ids: new Set(f.pushedFences.fenceIds), version: f.pushedFences.version, by: f.pushedFences.by } : null),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [geofences]);
  return state;
}
