// Placeholders that show ids as this fleet writes them: the first vehicle and driver the console knows.
import { useFleet } from '../app/store';

const FALLBACK_VEHICLE = 'VAN-17';
const FALLBACK_DRIVER = 'DRV-04';

export function useExampleIds(): { vehicle: string; driver: string } {
  // strings, so the screens re-render only when the example itself changes
  const vehicle = useFleet((s) => {
    let first: string | null = null;
    for (const id in s.vehicles) if (first === null || id < first) first = id;
    return first ?? FALLBACK_VEHICLE;
  });
  const driver = useFleet((s) => {
    let first: string | null = null;
    for (const v of Object.values(s.vehicles)) {
      const d = v.last.driverId;
      if (d && (first === null || d < first)) first = d;
    }
    return first ?? FALLBACK_DRIVER;
  });
  return { vehicle, driver };
}
