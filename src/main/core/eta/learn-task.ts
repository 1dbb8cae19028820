// Learning the ETA model as a task for a worker thread: 28 days of every vehicle's track is seconds of
// reading on a big database, so it runs beside the service's thread, on its own read-only connection.
import { loadSamples } from '../history/history';
import { tripsAndStops } from '../history/track';
import { Store } from '../storage/store';
import { learnEtaModel, type EtaModel } from './eta';

export interface EtaLearnInput {
  dbFile: string;
  fromMs: number;
  toMs: number;
  timeZone: string;
}

export type EtaLearnMessage = { type: 'model'; value: EtaModel } | { type: 'failed'; message: string };

/** The model learned from every vehicle's trips in [fromMs, toMs). */
export function learnEtaFromStore(store: Store, fromMs: number, toMs: number, timeZone: string): EtaModel {
  const trips = [];
  for (const v of store.telemetry.vehicleIds()) {
    const { samples } = loadSamples(store, v, fromMs, toMs);
    trips.push(...tripsAndStops(v, samples).trips);
  }
  return learnEtaModel(trips, timeZone);
}

export function runEtaLearning(input: EtaLearnInput, post: (m: EtaLearnMessage) => void): void {
  try {
    const store = new Store(input.dbFile, { readonly: true });
    try {
      post({ type: 'model', value: learnEtaFromStore(store, input.fromMs, input.toMs, input.timeZone) });
    } finally {
      store.close();
    }
  } catch (err) {
    post({ type: 'failed', message: (err as Error).message });
  }
}
