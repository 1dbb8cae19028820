// The engine worker: decode a message, call the core engine, post the result. No logic of its own.
import { parentPort, workerData } from 'node:worker_threads';
import { FleetEngine } from '../core/engine/fleet-engine';
import { fromColumns, geofenceTransferables, type FromWorker, type ToWorker } from '../core/engine/protocol';
import { runTraining, type TrainInput } from '../core/maintenance/train-task';
import { runOverview } from '../core/maintenance/ranking';
import { runEtaLearning, type EtaLearnInput } from '../core/eta/learn-task';
import { runCheckpointer } from '../core/storage/checkpointer';
import { runExportTask, type ExportTaskInput } from '../core/reports/export-task';
import { checkIntegrity } from '../core/storage/integrity';
import { validateFenceGeometry } from '../core/geofence/geometry';

if (!parentPort) throw new Error('engine.worker must run in a worker thread');
const port = parentPort;
let engine = new FleetEngine();

// The same worker file also trains the breakdown model, ranks vehicles by it, learns the ETA model,
// writes exports and checkpoints the database's log, each in a thread of its own, when asked to. The
// engine's listener is not added then: one-shot tasks end once their answer is sent (an export after
// its last message), the checkpointer when told to stop.
const task = (workerData as { task?: string; input?: TrainInput } | null)?.task;
if (task === 'train-maintenance') runTraining((workerData as { input: TrainInput }).input, (m) => port.postMessage(m));
if (task === 'maintenance-overview') runOverview((workerData as { input: { dbFile: string; nowMs: number } }).input, (m) => port.postMessage(m));
if (task === 'eta-model') runEtaLearning((workerData as { input: EtaLearnInput }).input, (m) => port.postMessage(m));
if (task === 'export') void runExportTask((workerData as { input: ExportTaskInput }).input, port);
if (task === 'validate-fence') port.postMessage(validateFenceGeometry((workerData as { input: unknown }).input));
if (task === 'integrity-check') port.postMessage(checkIntegrity((workerData as { input: { dbFile: string } }).input.dbFile));
if (task === 'checkpointer') runCheckpointer((workerData as { input: { dbFile: string; everyMs?: number } }).input, port);

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

// Without a task it is the engine: it answers messages until it is terminated.
if (task === undefined) port.on('message', (msg: ToWorker) => {
  const seq = msg.type === 'positions' ? msg.seq : null;
  try {
    switch (msg.type) {
      case 'init':
        engine = new FleetEngine(msg.fences, msg.config);
        engine.geofences.restoreMembership(msg.membership);
        post({ type: 'ready', fences: engine.geofences.fenceCount });
        break;
      case 'upsertFence':
        engine.geofences.upsertFence(msg.fence);
        break;
      case 'removeFence':
        engine.geofences.removeFence(msg.id);
        break;
      case 'config':
        engine.setConfig(msg.config);
        break;
      case 'positions': {
        const batch = fromColumns(msg.batch);
        const output = engine.stepToColumns(batch);
        post({ type: 'events', seq: msg.seq, output, processed: batch.length }, geofenceTransferables(output.geofence));
        break;
      }
    }
  } catch (err) {
    post({ type: 'error', seq, message: (err as Error).message });
  }
});
