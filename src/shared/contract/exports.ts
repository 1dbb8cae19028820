// Exports: reports written to files in the background, and the audit log of who took what.
import { EXPORT_FORMATS, REPORT_NAMES } from '../reports';
import { Unlock } from './history';
import { method, Nullable, StringEnum, Type, type Static } from './schema';

export const ReportRequest = Type.Object({
  report: StringEnum(REPORT_NAMES),
  format: StringEnum(EXPORT_FORMATS),
  /** UTC epoch ms; ignored by the geofences report. */
  fromMs: Type.Number(),
  toMs: Type.Number(),
  /** Empty or absent: the whole fleet. */
  vehicleIds: Type.Optional(Type.Array(Type.String())),
  /** IANA zone the times are written in (and stated in the file). */
  timeZone: Type.String(),
});
export type ReportRequest = Static<typeof ReportRequest>;

export const ExportProgress = Type.Object({
  jobId: Type.String(),
  report: StringEnum(REPORT_NAMES),
  format: StringEnum(EXPORT_FORMATS),
  fileName: Type.String(),
  rows: Type.Integer(),
  totalRows: Type.Integer(),
  state: StringEnum(['running', 'done', 'cancelled', 'failed'] as const),
  error: Nullable(Type.String()),
  bytes: Type.Integer(),
  /** serve mode: where the browser downloads the finished file (once). */
  downloadUrl: Nullable(Type.String()),
  /** desktop app: where the file was saved. */
  savedPath: Nullable(Type.String()),
});
export type ExportProgress = Static<typeof ExportProgress>;

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  tsMs: Type.Number(),
  actor: Type.String(),
  action: Type.String(),
  /** JSON: what was done (an export's report, format, period, vehicles, file, rows; a rule before and after; …) */
  detail: Type.String(),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const exportsMethods = {
  /** Writes a report to a file in the background; progress arrives as `exportProgress` events. */
  startExport: method('dispatcher', Type.Composite([ReportRequest, Unlock]), ExportProgress),
  cancelExport: method('dispatcher', Type.Object({ jobId: Type.String() }), Type.Object({ cancelled: Type.Boolean() })),
  /** Exports, privacy unlocks and supervisor actions: who, what, when, newest first. */
  listAudit: method('supervisor', Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }), Type.Array(AuditEntry)),
};

export const exportsEvents = {
  exportProgress: ExportProgress,
};
