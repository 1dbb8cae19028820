import { describe, expect, it } from 'vitest';
import type { FenceGeometry } from '../../../shared/contract/fences';
import { distance, pointToLineDistance } from '@turf/turf';
import { mulberry32 } from '../sim/demo-fleet';
import { bboxOf, distanceToLineM, isStrictlyInside, validateFenceGeometry } from './geometry';

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
    ['a point', { type: 'Point', coordinates: [0, 0] }, 'geometry type "Point" is not supported; expected Polygon, MultiPolygon, Circle or Corridor'],
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

describe('circle fences', () => {
  const circle: FenceGeometry = { type: 'Circle', center: [-1.89, 52.48], radiusM: 500 };

  it('contains points closer than the radius, by great-circle distance; the rim is outside', () => {
    expect(isStrictlyInside(circle, -1.89, 52.48 + 400 / 111_195)).toBe(true);
    expect(isStrictlyInside(circle, -1.89, 52.48 + 600 / 111_195)).toBe(false);
    // 500 m east at this latitude is further in degrees of longitude than north
    expect(isStrictlyInside(circle, -1.89 + 0.0068, 52.48)).toBe(true);
    expect(isStrictlyInside(circle, -1.89 + 0.0075, 52.48)).toBe(false);
    const rand = mulberry32(5);
    for (let i = 0; i < 2000; i++) {
      const lon = -1.89 + (rand() - 0.5) * 0.02;
      const lat = 52.48 + (rand() - 0.5) * 0.02;
      const d = distance([-1.89, 52.48], [lon, lat], { units: 'meters' });
      if (Math.abs(d - 500) < 0.5) continue; // too close to the rim to compare two formulas
      expect(isStrictlyInside(circle, lon, lat), `${lon},${lat} at ${d} m`).toBe(d < 500);
    }
  });

  it('has a bounding box that holds the whole circle', () => {
    const [minLon, minLat, maxLon, maxLat] = bboxOf(circle);
    expect(distance([-1.89, 52.48], [minLon, 52.48], { units: 'meters' })).toBeGreaterThanOrEqual(500);
    expect(distance([-1.89, 52.48], [-1.89, maxLat], { units: 'meters' })).toBeGreaterThanOrEqual(500);
    expect(maxLon).toBeGreaterThan(-1.89);
    expect(minLat).toBeLessThan(52.48);
  });

  it.each([
    [{ type: 'Circle', center: [-1.89], radiusM: 10 }, 'circle: center must be [lon, lat] within longitude -180..180 / latitude -90..90'],
    [{ type: 'Circle', center: [-1.89, 52.48], radiusM: 0 }, 'circle: radiusM must be a number of metres above 0'],
    [{ type: 'Circle', center: [-1.89, 52.48], radiusM: 200_000 }, 'circle: radius 200000 m is over the 100 km limit; draw a polygon instead'],
  ])('refuses a broken circle with the reason', (g, message) => {
    expect(validateFenceGeometry(g)).toBe(message);
  });
});

describe('corridor fences', () => {
  const route = [[-1.90, 52.48], [-1.88, 52.48], [-1.87, 52.49]];
  const corridor: FenceGeometry = { type: 'Corridor', line: route, widthM: 60 };

  it('contains points within half the width of the route, the same as turf within 0.1 %', () => {
    expect(isStrictlyInside(corridor, -1.89, 52.48 + 20 / 111_195)).toBe(true);
    expect(isStrictlyInside(corridor, -1.89, 52.48 + 40 / 111_195)).toBe(false);
    expect(isStrictlyInside(corridor, -1.91, 52.48)).toBe(false); // beyond the start
    const rand = mulberry32(8);
    let inside = 0;
    for (let i = 0; i < 3000; i++) {
      const lon = -1.905 + rand() * 0.04;
      const lat = 52.478 + rand() * 0.014;
      const d = pointToLineDistance([lon, lat], { type: 'LineString', coordinates: route }, { units: 'meters' });
      expect(Math.abs(distanceToLineM(lon, lat, route) - d)).toBeLessThanOrEqual(Math.max(0.05, d * 0.001));
      if (Math.abs(d - 30) < 0.1) continue;
      if (d < 30) inside++;
      expect(isStrictlyInside(corridor, lon, lat)).toBe(d < 30);
    }
    expect(inside).toBeGreaterThan(20);
  });

  it.each([
    [{ type: 'Corridor', line: [[-1.9, 52.48]], widthM: 10 }, 'corridor: line needs at least 2 [lon, lat] points'],
    [{ type: 'Corridor', line: [[-1.9, 52.48], [200, 52.48]], widthM: 10 }, 'corridor: point 2 is not a [lon, lat] pair within range'],
    [{ type: 'Corridor', line: [[-1.9, 52.48], [-1.8, 52.48]], widthM: -5 }, 'corridor: widthM must be a number of metres above 0'],
  ])('refuses a broken corridor with the reason', (g, message) => {
    expect(validateFenceGeometry(g)).toBe(message);
  });
});

describe('antimeridian', () => {
  it('accepts a ring that crosses ±180° and still refuses a self-crossing one there', async () => {
    const { validateFenceGeometry } = await import('./geometry');
    expect(validateFenceGeometry({ type: 'Polygon', coordinates: [[[175, -20], [-175, -20], [-175, -15], [175, -15], [175, -20]]] })).toBeNull();
    expect(validateFenceGeometry({ type: 'Polygon', coordinates: [[[175, -20], [-175, -15], [-175, -20], [175, -15], [175, -20]]] })).toMatch(/outer ring: crosses itself near \[180/);
  });
});
