// Ingest methods: the status bar, dead letters (private payloads withheld), Ingest health.
import type { ingestMethods } from '../../../shared/contract/ingest';
import type { Store } from '../../core/storage/store';
import { limitOf, type HandlersOf } from '../../api/handlers';
import type { PrivacyGate } from '../privacy/gate';
import type { IngestHealthMonitor } from './health';

export function ingestHandlers(d: { store: Store; monitor: IngestHealthMonitor; gate: PrivacyGate }): HandlersOf<typeof ingestMethods> {
  return {
    getStatus: async () => d.monitor.status(),
    listDeadLetters: async (p) => d.store.telemetry.deadLetters(limitOf(p.limit, 100, 1000)).map((x) => d.gate.shownDeadLetter(x)),
    getIngestHealth: async () => d.monitor.health(),
  };
}
