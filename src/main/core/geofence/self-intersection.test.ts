import { kinks } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random';
import { firstSelfIntersection } from './self-intersection';

const closed = (pts: number[][]) => [...pts, pts[0]!];

describe('firstSelfIntersection', () => {
  it('finds the crossing of a bow tie and nothing in a square, a concave shape or a ring with repeated corners', () => {
    expect(firstSelfIntersection(closed([[0, 0], [2, 2], [2, 0], [0, 2]]))).toEqual([1, 1]);
    expect(firstSelfIntersection(closed([[0, 0], [1, 0], [1, 1], [0, 1]]))).toBeNull();
    expect(firstSelfIntersection(closed([[0, 0], [4, 0], [4, 4], [2, 1], [0, 4]]))).toBeNull();
    expect(firstSelfIntersection(closed([[0, 0], [1, 0], [1, 0], [1, 1], [0, 1]]))).toBeNull();
  });

  it('counts a corner touching another edge and a collinear overlap as crossings', () => {
    // the corner (2, 0) lies on the first edge, (0, 0)–(4, 0)
    expect(firstSelfIntersection(closed([[0, 0], [4, 0], [4, 2], [2, 0], [0, 2]]))).toEqual([2, 0]);
    expect(firstSelfIntersection(closed([[0, 0], [3, 0], [3, 1], [1, 1], [1, 0], [2, 0], [2, -1], [0, -1]]))).not.toBeNull();
  });

  it('agrees with testing every pair (turf kinks) on random rings', () => {
    const rnd = mulberry32(11);
    const seen = { crossing: 0, simple: 0 };
    for (let t = 0; t < 300; t++) {
      const n = 4 + Math.floor(rnd() * 12);
      // star-shaped rings are simple; jitter some into crossings
      const pts = Array.from({ length: n }, (_, i) => {
        const a = (i / n) * 2 * Math.PI + (rnd() < 0.15 ? rnd() * 3 : 0);
        const r = 1 + rnd() * 4;
        return [Math.round(r * Math.cos(a) * 1e6) / 1e6, Math.round(r * Math.sin(a) * 1e6) / 1e6];
      });
      const ring = closed(pts);
      const ours = firstSelfIntersection(ring) !== null;
      const turf = kinks({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: ring } }).features.length > 0;
      expect(ours, JSON.stringify(ring)).toBe(turf);
      seen[ours ? 'crossing' : 'simple']++;
    }
    expect(seen.crossing).toBeGreaterThan(30);
    expect(seen.simple).toBeGreaterThan(30);
  });

  it('checks a 52,000-vertex boundary (no crossing) and finds one crossing in it', () => {
    const n = 52_000;
    const ring = closed(Array.from({ length: n }, (_, i) => {
      const a = (i / n) * 2 * Math.PI;
      const r = 1 + 0.01 * Math.sin(a * 400);
      return [r * Math.cos(a), r * Math.sin(a)];
    }));
    expect(firstSelfIntersection(ring)).toBeNull();
    // swap two neighbouring corners half way round: their edges now cross
    const broken = ring.map((p) => [...p]);
    [broken[26_000], broken[26_001]] = [broken[26_001]!, broken[26_000]!];
    expect(firstSelfIntersection(broken)).not.toBeNull();
  });
});
