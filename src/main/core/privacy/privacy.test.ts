import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { Store } from '../storage/store';
import { TELEMETRY_FIELDS } from './inventory';
import { inIntervals, PrivacyPolicy, privateIntervals, validatePrivacyRule } from './privacy';

// Mon 2 Nov 2026, UTC = London time in winter
const at = (d: number, h: number, m = 0) => Date.UTC(2026, 10, d, h, m);
const offDuty = { days: [0, 1, 2, 3, 4, 5, 6], startMin: 18 * 60, endMin: 7 * 60, timeZone: 'Europe/London' };

describe('privacy policy', () => {
  it('hides a driver off duty (18:00–07:00 London) in any vehicle, and a vehicle always', () => {
    const p = new PrivacyPolicy([
      { id: 1, kind: 'driver', subjectId: 'DRV-ANA', schedule: offDuty, note: 'off-duty hours', createdMs: 0 },
      { id: 2, kind: 'vehicle', subjectId: 'CAR-CEO', schedule: null, note: 'company car, private use', createdMs: 0 },
    ]);
    expect(p.isPrivate('VAN-1', 'DRV-ANA', at(2, 12))).toBe(false); // on duty at noon
    expect(p.isPrivate('VAN-1', 'DRV-ANA', at(2, 19))).toBe(true);
    expect(p.isPrivate('VAN-1', 'DRV-ANA', at(3, 6, 59))).toBe(true); // past midnight, before 07:00
    expect(p.isPrivate('VAN-1', 'DRV-BEN', at(2, 19))).toBe(false);
    expect(p.isPrivate('VAN-1', null, at(2, 19))).toBe(false);
    expect(p.isPrivate('CAR-CEO', null, at(2, 12))).toBe(true);
    expect(p.mayAffect('VAN-9')).toBe(true); // any vehicle may carry a private driver
    expect(new PrivacyPolicy([{ id: 2, kind: 'vehicle', subjectId: 'CAR-CEO', schedule: null, note: '', createdMs: 0 }]).mayAffect('VAN-9')).toBe(false);
  });

  it('turns private samples into stretches and finds times inside them', () => {
    const iv = privateIntervals([
      { tsMs: 0, private: false },
      { tsMs: 10, private: true },
      { tsMs: 20, private: true },
      { tsMs: 30, private: false },
      { tsMs: 40, private: true },
    ]);
    expect(iv).toEqual([
      [10, 29],
      [40, Number.POSITIVE_INFINITY],
    ]);
    expect([5, 10, 25, 29, 30, 45].map((t) => inIntervals(iv, t))).toEqual([false, true, true, true, false, true]);
  });

  it('validates rules with a reason for each refusal', () => {
    expect(validatePrivacyRule({ kind: 'driver', subjectId: 'D1', schedule: null, note: '' })).toBeNull();
    expect(validatePrivacyRule({ kind: 'fleet' as 'driver', subjectId: 'D1', schedule: null, note: '' })).toMatch(/kind/);
    expect(validatePrivacyRule({ kind: 'driver', subjectId: ' ', schedule: null, note: '' })).toMatch(/driver id is required/);
    expect(validatePrivacyRule({ kind: 'driver', subjectId: 'D1', schedule: { ...offDuty, timeZone: 'Mars/Base' }, note: '' })).toMatch(/schedule: unknown time zone/);
  });
});

describe('data we collect', () => {
  it('lists every column FleetDesk stores for a position', () => {
    const store = new Store(path.join(tempDir(), 'i.sqlite'));
    const cols = (store.db.prepare(`PRAGMA table_info(telemetry)`).all() as { name: string }[]).map((c) => c.name).filter((c) => c !== 'id');
    store.close();
    expect(cols.sort()).toEqual(Object.keys(TELEMETRY_FIELDS).sort());
  });
});
