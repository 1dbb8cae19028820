import { describe, expect, it } from 'vitest';
import { isScheduleActive, localWeekMinute, validateSchedule } from './schedule';

const weekdays = { days: [1, 2, 3, 4, 5], startMin: 7 * 60, endMin: 19 * 60, timeZone: 'Europe/London' };

describe('fence schedules in a time zone', () => {
  it('uses local time, including summer time', () => {
    // Monday 2026-07-06 06:30 UTC = 07:30 BST → active; in winter 06:30 UTC = 06:30 GMT → not yet
    expect(isScheduleActive(weekdays, Date.UTC(2026, 6, 6, 6, 30))).toBe(true);
    expect(isScheduleActive(weekdays, Date.UTC(2026, 0, 5, 6, 30))).toBe(false);
    expect(isScheduleActive(weekdays, Date.UTC(2026, 0, 5, 7, 0))).toBe(true);
    // 19:00 local is the end (exclusive)
    expect(isScheduleActive(weekdays, Date.UTC(2026, 0, 5, 19, 0))).toBe(false);
    // Saturday
    expect(isScheduleActive(weekdays, Date.UTC(2026, 0, 10, 12, 0))).toBe(false);
  });

  it('runs a window past midnight from its start day', () => {
    const nights = { days: [5], startMin: 22 * 60, endMin: 6 * 60, timeZone: 'America/New_York' };
    // Friday 2026-01-09 23:00 EST = Saturday 04:00 UTC
    expect(localWeekMinute(Date.UTC(2026, 0, 10, 4, 0), 'America/New_York')).toEqual({ day: 5, minute: 23 * 60 });
    expect(isScheduleActive(nights, Date.UTC(2026, 0, 10, 4, 0))).toBe(true);
    // Saturday 05:00 EST, still Friday night's window
    expect(isScheduleActive(nights, Date.UTC(2026, 0, 10, 10, 0))).toBe(true);
    // Saturday 23:00 EST: Saturday is not a start day
    expect(isScheduleActive(nights, Date.UTC(2026, 0, 11, 4, 0))).toBe(false);
  });

  it('refuses unknown zones and bad days with a reason', () => {
    expect(validateSchedule({ ...weekdays, timeZone: 'Mars/Olympus' })).toMatch(/unknown time zone/);
    expect(validateSchedule({ ...weekdays, days: [7] })).toMatch(/weekdays 0/);
    expect(validateSchedule(weekdays)).toBeNull();
  });
});
