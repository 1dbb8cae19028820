import { describe, expect, it } from 'vitest';
import type { FenceGeometry } from '../../../shared/types';
import { isStrictlyInside, validateFenceGeometry } from './geometry';

const square: FenceGeometry = { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]] };
const withHole: FenceGeometry = {
  type: 'Polygon',
  coordinates: [
    [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
    [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
  ],
};

describe('validateFenceGeometry', () => {
  it('accepts a closed simple polygon, one with a hole, and a multipolygon', () => {
    expect(validateFenceGeometry(square)).toBeNull();
    expect(validateFenceGeometry(withHole)).toBeNull();
    expect(validateFenceGeometry({ type: 'MultiPolygon', coordinates: [square.coordinates, [[[20, 20], [21, 20], [21, 21], [20, 20]]]] })).toBeNull();
  });

  it.each([
    ['an unclosed ring', { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }, 'outer ring: is not closed (first point [0, 0] differs from last [0, 1])'],
    ['too few points', { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] }, 'outer ring: has 3 positions; a closed ring needs at least 4 (3 corners and the first repeated)'],
    ['a self-intersecting bow tie', { type: 'Polygon', coordinates: [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]] }, 'outer ring: crosses itself near [1.000000, 1.000000]'],
    ['a latitude out of range', { type: 'Polygon', coordinates: [[[0, 0], [1, 95], [1, 1], [0, 0]]] }, 'outer ring: point 2 [1, 95] is outside longitude -180..180 / latitude -90..90'],
    ['a broken hole', { type: 'Polygon', coordinates: [square.coordinates[0], [[4, 4], [6, 4], [6, 6], [4, 6]]] }, 'hole 1: is not closed (first point [4, 4] differs from last [4, 6])'],
    ['a broken part of a multipolygon', { type: 'MultiPolygon', coordinates: [square.coordinates, [[[0, 0], [1, 0], [0, 0]]]] }, 'polygon 2, outer ring: has 3 positions; a closed ring needs at least 4 (3 corners and the first repeated)'],
    ['a point', { type: 'Point', coordinates: [0, 0] }, 'geometry type "Point" is not supported; expected Polygon or MultiPolygon'],
    ['a non-numeric coordinate', { type: 'Polygon', coordinates: [[[0, 0], ['a', 1], [1, 1], [0, 0]]] }, 'outer ring: point 2 is not a [lon, lat] pair of numbers'],
  ])('refuses %s, naming the ring and the reason', (_n, geometry, message) => {
    expect(validateFenceGeometry(geometry)).toBe(message);
  });
});

describe('isStrictlyInside', () => {
  it('counts points on an edge or a corner as outside', () => {
    expect(isStrictlyInside(square, 5, 5)).toBe(true);
    expect(isStrictlyInside(square, 0, 5)).toBe(false);
    expect(isStrictlyInside(square, 10, 10)).toBe(false);
    expect(isStrictlyInside(square, 5, 0)).toBe(false);
  });

  it('treats a hole as outside, including its edge', () => {
    expect(isStrictlyInside(withHole, 5, 5)).toBe(false);
    expect(isStrictlyInside(withHole, 4, 5)).toBe(false);
    expect(isStrictlyInside(withHole, 3, 5)).toBe(true);
  });

  it('tests every part of a multipolygon', () => {
    const multi: FenceGeometry = { type: 'MultiPolygon', coordinates: [square.coordinates, [[[20, 20], [30, 20], [30, 30], [20, 30], [20, 20]]]] };
    expect(isStrictlyInside(multi, 25, 25)).toBe(true);
    expect(isStrictlyInside(multi, 15, 15)).toBe(false);
  });
});
