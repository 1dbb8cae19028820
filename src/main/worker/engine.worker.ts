// The engine worker: decode a message, call the core engine, post the result. No logic of its own.
import { parentPort } from 'node:worker_threads';
import { GeofenceEngine, type EnginePosition } from '../core/geofence/engine';
import type { FromWorker, ToWorker } from '../core/engine/protocol';

if (!parentPort) throw new Error('engine.worker must run in a worker thread');
const port = parentPort;
let engine = new GeofenceEngine();

function post(msg: FromWorker): void {
  port.postMessage(msg);
}

port.on('message', (msg: ToWorker) => {
  const seq = msg.type === 'positions' ? msg.seq : null;
  try {
    switch (msg.type) {
      case 'init':
        engine = new GeofenceEngine(msg.fences);
        engine.restoreMembership(msg.membership);
        post({ type: 'ready', fences: engine.fenceCount });
        break;
      case 'upsertFence':
        engine.upsertFence(msg.fence);
        break;
      case 'removeFence':
        engine.removeFence(msg.id);
        break;
      case 'positions': {
        const { vehicleIds, tsMs, lon, lat } = msg.batch;
        const batch: EnginePosition[] = new Array(vehicleIds.length);
        for (let i = 0; i < vehicleIds.length; i++) {
          batch[i] = { vehicleId: vehicleIds[i]!, tsMs: tsMs[i]!, lon: lon[i]!, lat: lat[i]! };
        }
        post({ type: 'events', seq: msg.seq, events: engine.step(batch), processed: batch.length });
        break;
      }
    }
  } catch (err) {
    post({ type: 'error', seq, message: (err as Error).message });
  }
});
