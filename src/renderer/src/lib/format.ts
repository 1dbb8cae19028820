// Display formatting: local time on screen only, everything inside stays UTC epoch ms.
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function localTime(ms: number, nowMs = Date.now()): string {
  const sameDay = new Date(ms).toDateString() === new Date(nowMs).toDateString();
  return sameDay ? timeFmt.format(ms) : dateTimeFmt.format(ms);
}

export function age(ms: number | null, nowMs: number): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function fixed(n: number | null, digits = 0, unit = ''): string {
  return n === null ? '—' : `${n.toFixed(digits)}${unit}`;
}
