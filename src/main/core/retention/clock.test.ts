import { describe, expect, it } from 'vitest';
import { ClockWatch } from './clock';

const NOW = Date.UTC(2026, 11, 2, 8);
const DAY = 86_400_000;

describe('ClockWatch', () => {
  it('trusts the clock while the vehicles’ GPS time agrees with it', () => {
    const c = new ClockWatch();
    for (let i = 0; i < 10; i++) c.observe(NOW - 2000 - i * 1000, NOW - i * 1000);
    expect(c.verdict(NOW, NOW - 1000)).toEqual({ ok: true });
  });

  it('distrusts a clock 400 days ahead of the vehicles, whatever one odd device says', () => {
    const c = new ClockWatch();
    const skewed = NOW + 400 * DAY;
    for (let i = 0; i < 9; i++) c.observe(NOW + i * 1000, skewed + i * 1000);
    c.observe(skewed, skewed); // one device whose own clock followed ours
    const v = c.verdict(skewed, NOW);
    expect(v).toEqual({ ok: false, reason: expect.stringContaining("clock is 400 days ahead of the vehicles' GPS time") });
  });

  it('with no report yet, waits when the clock is far past the newest stored data, and not when it is close', () => {
    const c = new ClockWatch();
    expect(c.verdict(NOW + 400 * DAY, NOW)).toEqual({ ok: false, reason: expect.stringContaining('the newest stored data is from 2026-12-02') });
    expect(c.verdict(NOW + 3_600_000, NOW)).toEqual({ ok: true });
    expect(c.verdict(NOW, null)).toEqual({ ok: true }); // an empty database has nothing to lose
  });

  it('a depot back after a month off is confirmed by its vehicles and may thin again', () => {
    const c = new ClockWatch();
    const back = NOW + 30 * DAY;
    expect(c.verdict(back, NOW).ok).toBe(false);
    for (let i = 0; i < 5; i++) c.observe(back - 1500, back);
    expect(c.verdict(back, NOW)).toEqual({ ok: true });
  });
});
