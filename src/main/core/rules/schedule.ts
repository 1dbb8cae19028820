// Fence schedules: is a UTC instant inside "these weekdays, this daily window" in a given time zone?
import type { FenceSchedule } from '../../../shared/contract/fences';

const WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local weekday (0 = Sunday) and minute of the day of a UTC instant in a time zone. */
export function localWeekMinute(tsMs: number, timeZone: string): { day: number; minute: number } {
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(tsMs)) {
    if (part.type === 'weekday') day = WEEKDAY[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

/**
 * True when the schedule is active at the instant. A window that ends before it starts runs past
 * midnight: Friday 22:00–06:00 is active from Friday 22:00 to Saturday 06:00 (the day is the start day).
 */
export function isScheduleActive(s: FenceSchedule, tsMs: number): boolean {
  const { day, minute } = localWeekMinute(tsMs, s.timeZone);
  if (s.startMin === s.endMin) return s.days.includes(day); // whole day
  if (s.startMin < s.endMin) return s.days.includes(day) && minute >= s.startMin && minute < s.endMin;
  if (minute >= s.startMin) return s.days.includes(day);
  return minute < s.endMin && s.days.includes((day + 6) % 7);
}

export function validateSchedule(s: unknown): string | null {
  if (s === null || typeof s !== 'object') return 'schedule must be an object';
  const x = s as Partial<FenceSchedule>;
  if (!Array.isArray(x.days) || x.days.length === 0 || !x.days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6)) {
    return 'schedule days must be a non-empty list of weekdays 0 (Sunday) to 6 (Saturday)';
  }
  for (const k of ['startMin', 'endMin'] as const) {
    const v = x[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1440) return `schedule ${k} must be minutes after midnight (0–1440)`;
  }
  if (typeof x.timeZone !== 'string') return 'schedule needs a time zone such as Europe/London';
  try {
    formatterFor(x.timeZone);
  } catch {
    return `unknown time zone ${JSON.stringify(x.timeZone)}`;
  }
  return null;
}
