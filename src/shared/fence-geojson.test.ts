import { describe, expect, it } from 'vitest';
import { FENCE_DEFAULT_COLORS, fencesFromGeoJson, fenceToFeature, rewindRings } from './fence-geojson';

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

  it('gives every category a default colour that stands out on the dark map (contrast ≥ 3:1)', () => {
    const lum = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const map = lum('#0f1a24'); // the map's background
    for (const [category, colour] of Object.entries(FENCE_DEFAULT_COLORS)) {
      expect((lum(colour) + 0.05) / (map + 0.05), category).toBeGreaterThanOrEqual(3);
    }
  });
});
