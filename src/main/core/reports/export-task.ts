// One export, run in a thread of its own (task 'export' of the worker file): building a report and
// writing it held the service's thread for up to seconds (a month of the fleet's trips as a PDF: ~4 s,
// a million positions as XLSX: 0.6 s at a time), and that thread also ingests and answers the screens.
import type { PrivacyRule } from '../../../shared/contract/privacy';
import type { ReportRequest } from '../../../shared/reports';
import { PrivacyPolicy, type ShiftSpan } from '../privacy/privacy';
import { Store } from '../storage/store';
import { buildReport, type reportMeta } from './reports';
import { ExportCancelled, writeReport } from './writers';

export interface ExportTaskInput {
  dbFile: string;
  request: ReportRequest;
  /** The privacy rules that hide positions from the file; null: nothing hidden (supervisor unlock). */
  privacy: { rules: PrivacyRule[]; shifts: ShiftSpan[] } | null;
  file: string;
  meta: ReturnType<typeof reportMeta>;
}

export type ExportTaskMessage =
  | { type: 'total'; rows: number }
  | { type: 'progress'; rows: number }
  | { type: 'done'; rows: number; bytes: number }
  | { type: 'cancelled' }
  | { type: 'failed'; message: string; code: string | null };

/** The last message: how the export ended. */
export type ExportTaskAnswer = Exclude<ExportTaskMessage, { type: 'total' } | { type: 'progress' }>;

/** Builds and writes the report; the thread's port gets progress, then one final message. 'cancel' stops it. */
export async function runExportTask(
  input: ExportTaskInput,
  port: { postMessage(m: ExportTaskMessage): void; on(e: 'message', f: (m: 'cancel') => void): void; close(): void },
): Promise<void> {
  const abort = new AbortController();
  port.on('message', (m) => m === 'cancel' && abort.abort());
  let store: Store | null = null;
  try {
    // a connection of its own, read-only: a long read never holds the ingest's connection busy
    store = new Store(input.dbFile, { readonly: true });
    const report = buildReport(store, input.request, input.privacy ? new PrivacyPolicy(input.privacy.rules, input.privacy.shifts) : null);
    port.postMessage({ type: 'total', rows: report.rowCount });
    const r = await writeReport(report, input.request.format, input.file, {
      timeZone: input.request.timeZone,
      meta: input.meta,
      signal: abort.signal,
      onProgress: (rows) => port.postMessage({ type: 'progress', rows }),
    });
    port.postMessage({ type: 'done', rows: r.rows, bytes: r.bytes });
  } catch (err) {
    if (err instanceof ExportCancelled) port.postMessage({ type: 'cancelled' });
    else port.postMessage({ type: 'failed', message: (err as Error).message, code: (err as NodeJS.ErrnoException).code ?? null });
  } finally {
    store?.close();
    port.close(); // the thread ends
  }
}
