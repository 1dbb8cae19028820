// Looking after the database: the integrity check at start, checkpoints in a thread of their own,
// retention (only while this computer's clock agrees with the fleet's GPS time), and the problems a
// person must act on (damage, a clock jump, a full disk).
import { ClockWatch } from '../../core/retention/clock';
import { DEFAULT_RETENTION, runRetention, type RetentionSettings } from '../../core/retention/retention';
import { Checkpointer, FALLBACK_AUTOCHECKPOINT_PAGES } from '../../core/storage/checkpointer';
import { damageMessage, type IntegrityResult } from '../../core/storage/integrity';
import type { Store } from '../../core/storage/store';
import { workerTask } from '../../core/util/worker-task';
import type { Ingestor } from '../../core/ingest/ingestor';

export class StorageUpkeep {
  /** Whether this computer's clock agrees with the fleet's GPS time (retention deletes by age). */
  readonly clock = new ClockWatch();
  private readonly problems = new Map<'integrity' | 'clock', string>(); // a full disk: from the ingestor
  private checkpointer: Checkpointer | null = null;
  /** Settles when the check at start has run (tests; stop waits for it). */
  integrityCheck: Promise<void> = Promise.resolve();
  readonly retention: RetentionSettings;
  readonly lastRun: { running: boolean; lastRunMs: number | null; lastDeletedPoints: number | null } = { running: false, lastRunMs: null, lastDeletedPoints: null };

  constructor(
    private readonly d: {
      store: Store;
      dbFile: string;
      workerPath: string;
      retention?: Partial<RetentionSettings>;
      ingestor: () => Ingestor | undefined;
      statusChanged: () => void;
      log: (line: string) => void;
    },
  ) {
    this.retention = { ...DEFAULT_RETENTION, ...d.retention };
  }

  start(): void {
    this.checkIntegrityInBackground();
    // checkpoints in a thread of their own; the automatic one stays as a fallback at a higher threshold
    this.checkpointer = new Checkpointer(this.d.workerPath, this.d.dbFile, (m) => this.d.log(m));
    this.checkpointer.start();
    this.d.store.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  }

  /** SQLite's quick_check on a read-only connection in a thread of its own; damage goes to the status bar. */
  private checkIntegrityInBackground(): void {
    this.integrityCheck = workerTask<IntegrityResult>(this.d.workerPath, 'integrity-check', { dbFile: this.d.dbFile }).then(
      (r) => {
        if (r.ok) return;
        const message = damageMessage(this.d.dbFile, r.problems);
        this.problems.set('integrity', message);
        this.d.log(message);
        this.d.statusChanged();
      },
      (err: Error) => this.d.log(`database check could not run: ${err.message}`),
    );
  }

  /** What is wrong, each said with what to do (empty when all is well). */
  storageProblems(): string[] {
    const failure = this.d.ingestor()?.failure;
    return [...this.problems.values(), ...(failure ? [this.savingProblem(failure)] : [])];
  }

  private savingProblem(failure: string): string {
    const full = /full|ENOSPC/i.test(failure);
    return (
      `${full ? 'Disk full: ' : ''}FleetDesk cannot save telemetry (${failure}). ${this.d.ingestor()!.queued.toLocaleString('en')} messages wait in memory and ` +
      `vehicles are held back (nothing is lost). ${full ? 'Free space on the disk of' : 'Check the disk and the file'} ${this.d.dbFile}; saving resumes by itself.`
    );
  }

  /** Runs one retention pass (also used by tests); resolves when done. */
  async runRetentionNow(nowMs = Date.now()) {
    if (this.lastRun.running) return null;
    // deleting by age needs a clock that is right: the vehicles' GPS time (or, before any report, the
    // newest stored data) must agree with it
    const clock = this.clock.verdict(nowMs, this.d.store.telemetry.newestSeenMs());
    if (!clock.ok) {
      if (!this.problems.has('clock')) this.d.log(`retention paused: ${clock.reason}`);
      this.problems.set('clock', clock.reason);
      this.d.statusChanged();
      return null;
    }
    if (this.problems.delete('clock')) this.d.statusChanged();
    this.lastRun.running = true;
    try {
      const r = await runRetention(this.d.store, nowMs, this.retention);
      this.lastRun.lastRunMs = Date.now();
      this.lastRun.lastDeletedPoints = r.deletedPoints;
      if (r.deletedPoints || r.deletedDeadLetters) this.d.log(`retention: thinned ${r.deletedPoints} old points, removed ${r.deletedDeadLetters} old dead letters`);
      return r;
    } catch (err) {
      this.d.log(`retention failed: ${(err as Error).message}`);
      return null;
    } finally {
      this.lastRun.running = false;
    }
  }

  async stop(): Promise<void> {
    await this.integrityCheck;
    await this.checkpointer?.close();
  }
}
