// Keeps the per-minute history summary up to date in small slices between which ingest runs.
import type { Store } from '../../core/storage/store';

export class TrackSummarizer {
  /** The pass under way, if any (stop waits for it: its next slice would find the database closed). */
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly log: (line: string) => void,
  ) {}

  /** Catches the per-minute summary up and packs finished hours. */
  step(): Promise<void> {
    if (this.running) return this.running;
    const pass = async () => {
      try {
        // slices of a few milliseconds each, with the event loop turning in between: ingest never waits long
        while (!this.stopping && this.store.track.summarize(5_000) > 0) await new Promise((r) => setImmediate(r));
        const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
        while (!this.stopping && this.store.track.packDirtyHours(hourStart, 100) > 0) await new Promise((r) => setImmediate(r));
      } catch (err) {
        this.log(`history summary failed: ${(err as Error).message}`);
      }
    };
    // (cleared in a later microtask, so a pass that finishes at once is not left standing)
    this.running = pass().finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }
}
