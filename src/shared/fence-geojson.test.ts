import { describe, expect, it } from 'vitest';
import { fencesFromGeoJson, fenceToFeature, rewindRings } from './fence-geojson';

const cw = [[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]; // clockwise square
const ccwHole = [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8], [0.2, 0.2]]; // counter-clockwise hole

describe('fence GeoJSON', () => {
  it('winds an outer ring counter-clockwise and holes clockwise, as RFC 7946 asks', () => {
    expect(rewindRings([cw, ccwHole])).toEqual([[...cw].reverse(), [...ccwHole].reverse()]);
    const ok = [[...cw].reverse(), [...ccwHole].reverse()];
    expect(rewindRings(ok)).toEqual(ok); // already right: unchanged
  });

  it('exports a drawn (clockwise) polygon counter-clockwise, and it reads back as the same fence', () => {
    const fence = { id: 'f1', name: 'Yard', category: 'depot' as const, color: '#42a5f5', geometry: { type: 'Polygon' as const, coordinates: [cw, ccwHole] }, rules: {} };
    const feature = fenceToFeature(fence);
    expect(feature.geometry).toEqual({ type: 'Polygon', coordinates: [[...cw].reverse(), [...ccwHole].reverse()] });
    const [back] = fencesFromGeoJson({ type: 'FeatureCollection', features: [feature] });
    expect(back).toMatchObject({ id: 'f1', name: 'Yard', geometry: { type: 'Polygon' } });
  });
});
