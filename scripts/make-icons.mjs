#!/usr/bin/env node
// Makes every icon FleetDesk's builds need from the one source, resources/icon.svg: PNGs for Linux
// (16…1024 px), icon.ico for Windows (16…256, PNG-compressed entries) and icon.icns for macOS (16…1024,
// PNG entries). Rendered by Debian's Chromium through playwright-core, so no image tool is needed.
// usage: node scripts/make-icons.mjs   (commit what it writes; test/icons.test.ts checks it is current)
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const svg = readFileSync(path.join(root, 'resources/icon.svg'));
const out = path.join(root, 'resources/icons');
export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// ICNS entry types by pixel size (PNG payloads; ic04/ic05 take PNG on current macOS too)
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const png = {};
try {
  const page = await browser.newPage();
  for (const size of PNG_SIZES) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0;background:transparent"><img width="${size}" height="${size}" src="data:image/svg+xml;base64,${svg.toString('base64')}"></body></html>`);
    await page.locator('img').evaluate((img) => img.decode());
    png[size] = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  }
} finally {
  await browser.close();
}

mkdirSync(out, { recursive: true });
for (const size of PNG_SIZES) writeFileSync(path.join(out, `${size}x${size}.png`), png[size]);

// ICO: header, one 16-byte directory entry per image, then the PNGs
const header = Buffer.alloc(6);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(ICO_SIZES.length, 4);
let offset = 6 + 16 * ICO_SIZES.length;
const dir = ICO_SIZES.map((size) => {
  const e = Buffer.alloc(16);
  e.writeUInt8(size >= 256 ? 0 : size, 0); // 0 means 256
  e.writeUInt8(size >= 256 ? 0 : size, 1);
  e.writeUInt16LE(1, 4); // planes
  e.writeUInt16LE(32, 6); // bits per pixel
  e.writeUInt32LE(png[size].length, 8);
  e.writeUInt32LE(offset, 12);
  offset += png[size].length;
  return e;
});
writeFileSync(path.join(out, 'icon.ico'), Buffer.concat([header, ...dir, ...ICO_SIZES.map((s) => png[s])]));

// ICNS: 'icns' + total length, then (type, length incl. 8-byte header, PNG) per entry, big-endian
const entries = ICNS_TYPES.map(([type, size]) => {
  const h = Buffer.alloc(8);
  h.write(type, 0, 'latin1');
  h.writeUInt32BE(png[size].length + 8, 4);
  return Buffer.concat([h, png[size]]);
});
const icnsHeader = Buffer.alloc(8);
icnsHeader.write('icns', 0, 'latin1');
icnsHeader.writeUInt32BE(8 + entries.reduce((a, e) => a + e.length, 0), 4);
writeFileSync(path.join(out, 'icon.icns'), Buffer.concat([icnsHeader, ...entries]));
// the source the icons were made from, so a test can tell they are current
writeFileSync(path.join(out, 'SOURCE.sha256'), `${createHash('sha256').update(svg).digest('hex')}  resources/icon.svg\n`);
console.log(`icons written to ${path.relative(root, out)}: ${PNG_SIZES.join(', ')} px PNG, icon.ico (${ICO_SIZES.length} sizes), icon.icns (${ICNS_TYPES.length} sizes)`);
