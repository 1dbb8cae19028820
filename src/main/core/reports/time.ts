// Times in reports: ISO-8601 with the offset of a chosen IANA time zone (the zone is stated in the
// report), computed with Intl once per hour of UTC and cached, so a million rows format quickly.

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export class ZonedTime {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {
    if (!isValidTimeZone(timeZone)) throw new Error(`unknown time zone "${timeZone}" (use an IANA name such as Europe/London or UTC)`);
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  /** Offset of the zone from UTC at a time, in minutes (e.g. +60 for Europe/Paris in winter). */
  offsetMin(ms: number): number {
    // offsets change on whole hours or half hours in every zone in use; cache per 15 minutes
    const key = Math.floor(ms / 900_000);
    let off = this.offsets.get(key);
    if (off === undefined) {
      const parts: Record<string, string> = {};
      for (const p of this.fmt.formatToParts(key * 900_000)) parts[p.type] = p.value;
      const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
      off = Math.round((asUtc - key * 900_000) / 60_000);
      if (this.offsets.size > 100_000) this.offsets.clear();
      this.offsets.set(key, off);
    }
    return off;
  }

  /** Wall-clock time in the zone as if it were UTC (for spreadsheet date cells, which have no zone). */
  wallMs(ms: number): number {
    return ms + this.offsetMin(ms) * 60_000;
  }

  /** e.g. 2026-11-02T09:00:05+01:00 (Z for UTC). */
  iso(ms: number): string {
    const off = this.offsetMin(ms);
    const wall = new Date(ms + off * 60_000).toISOString().slice(0, 19);
    if (off === 0) return `${wall}Z`;
    const a = Math.abs(off);
    return `${wall}${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  }

  /** e.g. 2026-11-02 09:00 (for printed reports, where the zone is in the heading). */
  short(ms: number): string {
    return new Date(this.wallMs(ms)).toISOString().slice(0, 16).replace('T', ' ');
  }
}
