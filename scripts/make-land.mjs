#!/usr/bin/env node
// Generates the land outlines that PDF reports draw under their maps (src/shared/basemap/land.json) from
// Natural Earth's 1:110m countries (world-atlas, public domain): the outer ring of every country polygon,
// rounded to 0.01° (a report map of a city needs no finer coast). Run after upgrading world-atlas.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { feature } from 'topojson-client';

const require = createRequire(import.meta.url);
const topo = JSON.parse(readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8'));
const rings = [];
for (const f of feature(topo, topo.objects.countries).features) {
  const g = f.geometry;
  if (!g) continue;
  for (const poly of g.type === 'Polygon' ? [g.coordinates] : g.coordinates) {
    rings.push(poly[0].map(([lon, lat]) => [Math.round(lon * 100) / 100, Math.round(lat * 100) / 100]));
  }
}
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/shared/basemap/land.json');
writeFileSync(out, JSON.stringify(rings));
console.log(`${rings.length} rings → ${out}`);
