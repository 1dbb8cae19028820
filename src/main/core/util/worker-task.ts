// A one-shot task of the worker file (see worker/engine.worker.ts) in a thread of its own: the thread
// answers with one message (after any progress messages) and ends.
import { Worker } from 'node:worker_threads';

/** The thread ended without answering. */
export class WorkerTaskStopped extends Error {
  constructor(task: string) {
    super(`the ${task} worker stopped before it finished`);
  }
}

export interface WorkerTaskOptions<M> {
  /** Takes a message the task sends before its answer (progress) and returns true; false for the answer. */
  progress?: (message: M) => boolean;
  /** Aborting posts 'cancel' to the thread; the task answers as it sees fit. */
  signal?: AbortSignal;
}

/**
 * Starts `task` with `input`; resolves with its answer (`A`: the messages `progress` does not take),
 * rejects if the thread fails or ends without one.
 */
export function workerTask<M, A extends M = M>(workerPath: string, task: string, input: unknown, options: WorkerTaskOptions<M> = {}): Promise<A> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerPath, { workerData: { task, input } });
    const { progress, signal } = options;
    let settled = false;
    const cancel = () => w.postMessage('cancel');
    signal?.addEventListener('abort', cancel, { once: true });
    const settle = () => {
      settled = true;
      signal?.removeEventListener('abort', cancel);
    };
    w.on('message', (m: M) => {
      if (progress?.(m)) return;
      settle();
      resolve(m as A);
    });
    w.on('error', (err) => {
      settle();
      reject(err);
    });
    w.on('exit', () => {
      if (settled) return;
      settle();
      reject(new WorkerTaskStopped(task));
    });
  });
}
