// Is this computer's clock right? Retention deletes by age, so a clock that jumped ahead (a bad NTP
// answer, a dead RTC battery) would thin or delete everything. Vehicles report GPS time, which is
// reliable: while their reports agree with our clock, retention may run; when they disagree, or when no
// vehicle has reported yet and the clock is far past the newest stored data, it waits and says why.

const DAY_MS = 86_400_000;

export interface ClockWatchOptions {
  /** Our clock may differ from the fleet's GPS time by this much and still be trusted. */
  toleranceMs?: number; // default 1 day
  /** Reports kept to judge by (the newest). */
  keep?: number; // default 200
  /** Reports needed before the fleet's time is taken as evidence. */
  minReports?: number; // default 5
}

export type ClockVerdict = { ok: true } | { ok: false; reason: string };

export class ClockWatch {
  private readonly offsets: number[] = [];
  private next = 0;
  private readonly o: Required<ClockWatchOptions>;

  constructor(options: ClockWatchOptions = {}) {
    this.o = { toleranceMs: DAY_MS, keep: 200, minReports: 5, ...options };
  }

  /** One report: its device (GPS) time and when we received it by our clock. */
  observe(deviceMs: number, receivedMs: number): void {
    const offset = receivedMs - deviceMs;
    if (this.offsets.length < this.o.keep) this.offsets.push(offset);
    else this.offsets[this.next] = offset;
    this.next = (this.next + 1) % this.o.keep;
  }

  /** Whether `nowMs` can be trusted to delete by age; `newestStoredMs` is the newest data on disk. */
  verdict(nowMs: number, newestStoredMs: number | null): ClockVerdict {
    const days = (ms: number) => `${Math.round(Math.abs(ms) / DAY_MS)} days`;
    if (this.offsets.length >= this.o.minReports) {
      const sorted = [...this.offsets].sort((a, b) => a - b);
      const median = sorted[sorted.length >> 1]!;
      if (Math.abs(median) <= this.o.toleranceMs) return { ok: true };
      return {
        ok: false,
        reason: `This computer's clock is ${days(median)} ${median > 0 ? 'ahead of' : 'behind'} the vehicles' GPS time. Old data is not thinned or deleted until the clock is right: set the date and time (or fix NTP).`,
      };
    }
    if (newestStoredMs !== null && nowMs - newestStoredMs > this.o.toleranceMs) {
      return {
        ok: false,
        reason: `The clock says ${new Date(nowMs).toISOString().slice(0, 10)} but the newest stored data is from ${new Date(newestStoredMs).toISOString().slice(0, 10)}. Old data is not thinned or deleted until vehicles report and confirm the time.`,
      };
    }
    return { ok: true };
  }
}
