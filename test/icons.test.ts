// The app's icons (resources/icons) are made from the one source, resources/icon.svg, and are what the
// builds need: PNGs for Linux, an ICO for Windows and an ICNS for macOS, each holding real images of the
// sizes it says. The packaging configuration names them.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DIR = 'resources/icons';

/** Width and height from a PNG's IHDR chunk (and a check that it is a PNG at all). */
function pngSize(b: Buffer): [number, number] {
  expect(b.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(b.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('app icons', () => {
  it('are made from the current resources/icon.svg (run `npm run icons` after changing it)', () => {
    const hash = createHash('sha256').update(readFileSync('resources/icon.svg')).digest('hex');
    expect(readFileSync(`${DIR}/SOURCE.sha256`, 'utf8').split(' ')[0]).toBe(hash);
  });

  it('has a PNG of each size Linux desktops use, each of the size its name says', () => {
    for (const s of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) expect(pngSize(readFileSync(`${DIR}/${s}x${s}.png`)), `${s}x${s}.png`).toEqual([s, s]);
  });

  it('has a Windows ICO whose directory points at real PNGs of the sizes it lists, up to 256', () => {
    const ico = readFileSync(`${DIR}/icon.ico`);
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const n = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < n; i++) {
      const e = 6 + i * 16;
      const size = ico.readUInt8(e) || 256;
      const [len, off] = [ico.readUInt32LE(e + 8), ico.readUInt32LE(e + 12)];
      expect(pngSize(ico.subarray(off, off + len))).toEqual([size, size]);
      sizes.push(size);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('has a macOS ICNS whose entries are PNGs of the sizes their types stand for, up to 1024', () => {
    const icns = readFileSync(`${DIR}/icon.icns`);
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const want: Record<string, number> = { icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024 };
    const seen: string[] = [];
    for (let at = 8; at < icns.length; ) {
      const type = icns.subarray(at, at + 4).toString('latin1');
      const len = icns.readUInt32BE(at + 4);
      expect(pngSize(icns.subarray(at + 8, at + len)), type).toEqual([want[type], want[type]]);
      seen.push(type);
      at += len;
    }
    expect(seen.sort()).toEqual(Object.keys(want).sort());
  });

  it('are the ones the packaging configuration names, for every platform', () => {
    const yml = readFileSync('resources/electron-builder.yml', 'utf8');
    for (const m of yml.matchAll(/icon: (\S+)/g)) expect(existsSync(m[1]!), m[1]).toBe(true);
    expect(yml).toMatch(/target: \[AppImage, deb\]/);
    expect(yml).toMatch(/target: \[nsis\]/);
    expect(yml).toMatch(/target: \[dmg\]/);
  });
});
