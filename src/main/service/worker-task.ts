// A one-shot task of the worker file (see worker/engine.worker.ts) in a thread of its own: the thread
// answers with one message and ends.
import { Worker } from 'node:worker_threads';

/** The thread ended without answering. */
export class WorkerTaskStopped extends Error {
  constructor(task: string) {
    super(`the ${task} worker stopped before it finished`);
  }
}

/** Starts `task` with `input`; resolves with its answer, rejects if the thread fails or ends without one. */
export function workerTask<M>(workerPath: string, task: string, input: unknown): Promise<M> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerPath, { workerData: { task, input } });
    let settled = false;
    w.on('message', (m: M) => {
      settled = true;
      resolve(m);
    });
    w.on('error', (err) => {
      settled = true;
      reject(err);
    });
    w.on('exit', () => settled || reject(new WorkerTaskStopped(task)));
  });
}
