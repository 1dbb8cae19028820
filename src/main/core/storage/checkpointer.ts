// WAL checkpoints off the service's thread. SQLite's automatic checkpoint runs inside whichever commit
// crosses the threshold: it copies the log into the database file and waits for the disk (fsync), about
// a fifth of the service's commit time under a telemetry flood. A connection of its own in a worker
// thread checkpoints instead, every half second, without blocking writers (PASSIVE); the service's
// connection keeps a much higher automatic threshold only as a fallback should this thread stop.
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

export const CHECKPOINT_EVERY_MS = 500;
/** The service connection's automatic checkpoint while the checkpointer runs: 64 MiB of log, in pages. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_000;

export type CheckpointMessage = { type: 'checkpointed'; logPages: number; copiedPages: number } | { type: 'failed'; message: string };

/** The worker's side: checkpoints until told to stop, reporting each checkpoint that copied pages. */
export function runCheckpointer(
  input: { dbFile: string; everyMs?: number },
  port: { postMessage(m: CheckpointMessage): void; on(e: 'message', f: (m: 'stop') => void): void; close(): void },
): void {
  let db: Database.Database;
  try {
    db = new Database(input.dbFile, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    port.postMessage({ type: 'failed', message: (err as Error).message });
    port.close();
    return;
  }
  const timer = setInterval(() => {
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      if (r && r.checkpointed > 0) port.postMessage({ type: 'checkpointed', logPages: r.log, copiedPages: r.checkpointed });
    } catch (err) {
      port.postMessage({ type: 'failed', message: (err as Error).message });
    }
  }, input.everyMs ?? CHECKPOINT_EVERY_MS);
  port.on('message', (m) => {
    if (m !== 'stop') return;
    clearInterval(timer);
    db.close();
    port.close(); // the thread ends
  });
}

/** The service's side. `onStopped` is told when the thread ends or fails (the fallback threshold then applies). */
export class Checkpointer {
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** Checkpoints that copied pages so far. */
  checkpoints = 0;

  constructor(
    private readonly workerPath: string,
    private readonly dbFile: string,
    private readonly onProblem: (message: string) => void,
    private readonly everyMs = CHECKPOINT_EVERY_MS,
  ) {}

  start(): void {
    const w = new Worker(this.workerPath, { workerData: { task: 'checkpointer', input: { dbFile: this.dbFile, everyMs: this.everyMs } } });
    this.worker = w;
    this.exited = new Promise((resolve) => w.once('exit', () => resolve()));
    w.on('message', (m: CheckpointMessage) => {
      if (m.type === 'checkpointed') this.checkpoints++;
      else this.onProblem(`database checkpoint: ${m.message}`);
    });
    w.on('error', (err) => this.onProblem(`database checkpoint thread stopped: ${err.message}`));
    w.unref();
  }

  /** Stops the thread after its connection is closed (so the service's close can remove the log). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (!w) return;
    w.postMessage('stop'); // (a thread that already ended ignores it)
    const timer = setTimeout(() => void w.terminate(), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}
