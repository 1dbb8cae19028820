// A synthetic vehicle-week feature table with a known, realistic breakdown signal (wear that shows in
// coolant, rpm, fuel use and fault codes, distance since service, hard driving), for the benchmark and
// tests. Deterministic for a seed. Columns as `maintenance evaluate` reads them.
import { FEATURE_COLUMNS, LABEL_COLUMN } from './evaluate';
import { mulberry32 } from '../util/random';


export function syntheticFeatureCsv(opts: { vehicles?: number; vehicleIds?: string[]; weeks: number; seed?: number; /** the first week's start (default 2024-01-01), or */ startMs?: number; /** the last week's start */ endMs?: number }): string {
  const ids = opts.vehicleIds ?? Array.from({ length: opts.vehicles ?? 100 }, (_, v) => `V${String(v).padStart(4, '0')}`);
  const r = mulberry32(opts.seed ?? 42);
  const normal = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const poisson = (l: number) => {
    let k = 0;
    for (let p = Math.exp(-l), s = r(); s > p; s *= r()) k++;
    return k;
  };
  const lines = [['week', 'vehicle_id', ...FEATURE_COLUMNS, LABEL_COLUMN].join(',')];
  const start = opts.endMs !== undefined ? opts.endMs - (opts.weeks - 1) * 7 * 86_400_000 : (opts.startMs ?? Date.UTC(2024, 0, 1));
  const state = Array.from({ length: ids.length }, () => ({ wear: r() * 0.3, kmSince: r() * 15_000, daysSince: Math.floor(r() * 120), aggression: 0.5 + r() * 2, baseKm: 500 + r() * 900, broken: 0 }));
  for (let w = 0; w < opts.weeks; w++) {
    const week = new Date(start + w * 7 * 86_400_000).toISOString().slice(0, 10);
    for (let v = 0; v < ids.length; v++) {
      const s = state[v]!;
      if (s.broken > 0) {
        // in the workshop: repaired and serviced
        s.broken--;
        if (s.broken === 0) Object.assign(s, { wear: r() * 0.1, kmSince: 0, daysSince: 0 });
      }
      const km = Math.max(0, s.baseKm * (0.7 + 0.6 * r()));
      s.kmSince += km;
      s.daysSince += 7;
      s.wear = Math.min(1.5, s.wear + km / 60_000 + 0.01 * r());
      if (s.kmSince > 20_000 + 5_000 * r() || s.daysSince > 365) Object.assign(s, { wear: Math.max(0, s.wear - 0.5), kmSince: 0, daysSince: 0 });
      const avgRpm = 1500 + 250 * s.wear + 80 * normal();
      const maxRpm = avgRpm + 1500 + 400 * r() + 300 * s.aggression;
      const avgCool = 86 + 6 * s.wear + 1.5 * normal();
      const maxCool = avgCool + 6 + 8 * s.wear * r() + 2 * normal();
      const fuel = 9 + 1.8 * s.wear + 0.4 * s.aggression + 0.6 * normal();
      const harsh = poisson(s.aggression * km / 300);
      const dtc = poisson(0.05 + 0.8 * Math.max(0, s.wear - 0.6));
      const z = -6.0 + 3.2 * s.wear + 0.00008 * s.kmSince + 0.6 * dtc + 0.12 * Math.max(0, maxCool - 98) + 0.01 * harsh;
      const label = s.broken === 0 && r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      const miss = () => r() < 0.02; // sensors drop out
      lines.push(
        [
          week,
          ids[v],
          avgRpm.toFixed(0),
          maxRpm.toFixed(0),
          miss() ? '' : avgCool.toFixed(1),
          miss() ? '' : maxCool.toFixed(1),
          fuel.toFixed(2),
          harsh,
          km.toFixed(1),
          s.daysSince,
          s.kmSince.toFixed(0),
          dtc,
          label,
        ].join(','),
      );
      if (label && r() < 0.5) s.broken = 2; // about half the predicted-to-break vehicles do break soon after
    }
  }
  return lines.join('\n') + '\n';
}
