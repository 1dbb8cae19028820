// Export a report for the period on screen: pick report, format and time zone; a progress bar with
// Cancel while it runs; then the browser downloads it (serve mode) or the app says where it was saved.
import { useCallback, useEffect, useRef, useState } from 'react';
import { REPORT_NAMES, REPORT_TITLES, EXPORT_FORMATS, TABLE_ONLY_REPORTS, type ExportFormat, type ExportProgress, type ReportName } from '../../../../shared/reports';
import { api } from '../../lib/api';
import { downloadUrl } from '../../lib/download';
import { useHistory } from '../history/history-store';
import { useMay } from '../../app/store';
import { useDepots } from '../federation/depot-store';

const LOCAL_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** `fixedReport`: the panel's own report (Drivers, Maintenance, Costs), for the whole fleet. */
/** What the count of an export is: points for positions in a map format, rows otherwise. */
function unitOf(job: { report: string; format: string }): string {
  return job.report === 'positions' && ['gpx', 'kml', 'geojson'].includes(job.format) ? 'points' : 'rows';
}

type ExportBoxProps = { vehicleIds: string[]; fromMs: number; toMs: number; fixedReport?: ReportName };

/** Exports are a dispatcher's: a viewer is not offered one the server would refuse. */
export function ExportBox(props: ExportBoxProps) {
  return useMay('startExport') ? <ExportForm {...props} /> : null;
}

function ExportForm({ vehicleIds, fromMs, toMs, fixedReport }: ExportBoxProps) {
  const [chosen, setReport] = useState<ReportName>('trips');
  const report = fixedReport ?? chosen;
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [timeZone, setTimeZone] = useState(LOCAL_TZ);
  const [wholeFleetChosen, setWholeFleet] = useState(false);
  const wholeFleet = fixedReport ? true : wholeFleetChosen;
  const [job, setJob] = useState<ExportProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  // headquarters: with a depot chosen in the vehicle list, "whole fleet" is that depot's vehicles
  const depot = useDepots((s) => s.depot);
  const inDepot = useDepots((s) => s.vehicleIds);
  const formats: readonly ExportFormat[] = TABLE_ONLY_REPORTS.includes(report) ? EXPORT_FORMATS.filter((f) => f === 'csv' || f === 'xlsx' || f === 'pdf') : EXPORT_FORMATS;

  useEffect(() => {
    if (!formats.includes(format)) setFormat('csv');
  }, [formats, format]);

  // the job this box started; progress of a job it has not heard of yet (a small export may finish before
  // startExport answers); the downloads begun — one per job: the served file is handed out once, and a
  // second request would find nothing (no side effect inside a state updater, which React may run twice)
  const jobId = useRef<string | null>(null);
  const early = useRef(new Map<string, ExportProgress>());
  const downloaded = useRef(new Set<string>());
  const follow = useCallback((p: ExportProgress) => {
    setJob(p);
    if (p.state === 'done' && p.downloadUrl && !downloaded.current.has(p.jobId)) {
      downloaded.current.add(p.jobId);
      downloadUrl(p.downloadUrl, p.fileName);
    }
  }, []);
  useEffect(
    () =>
      api.on('exportProgress', (p) => {
        if (p.jobId === jobId.current) return follow(p);
        early.current.set(p.jobId, p);
        if (early.current.size > 20) early.current.delete(early.current.keys().next().value!);
      }),
    [follow],
  );

  const start = async () => {
    setError(null);
    try {
      const unlock = useHistory.getState().unlock;
      const unlockToken = unlock && unlock.untilMs > Date.now() ? unlock.token : undefined;
      if (wholeFleet && inDepot && inDepot.size === 0) return setError(`Depot ${depot} has no vehicles here yet.`);
      const p = await api.call('startExport', { report, format, fromMs, toMs, timeZone, vehicleIds: wholeFleet ? (inDepot ? [...inDepot] : []) : vehicleIds, unlockToken });
      jobId.current = p.jobId;
      const heard = early.current.get(p.jobId);
      follow(heard && (heard.state !== 'running' || heard.rows >= p.rows) ? heard : p);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const running = job?.state === 'running';
  const pct = job && job.totalRows > 0 ? Math.min(100, (job.rows / job.totalRows) * 100) : undefined;
  return (
    <section className="export-box" aria-label="Export report">
      <h3>
        Export{fixedReport ? ` ${REPORT_TITLES[fixedReport].toLowerCase()}` : ''}
        {depot && wholeFleet ? ` — depot ${depot}` : ''}
      </h3>
      <div className="row">
        <select aria-label="Report" value={report} onChange={(e) => setReport(e.target.value as ReportName)} hidden={!!fixedReport}>
          {REPORT_NAMES.map((r) => (
            <option key={r} value={r}>
              {REPORT_TITLES[r]}
            </option>
          ))}
        </select>
        <select aria-label="Format" value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
          {formats.map((f) => (
            <option key={f} value={f}>
              {f.toUpperCase()}
            </option>
          ))}
        </select>
      </div>
      <div className="row">
        <label className="muted">
          Time zone <input aria-label="Time zone" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} size={16} />
        </label>
        {!fixedReport && (
          <label className="toggle">
            <input type="checkbox" checked={wholeFleet} onChange={(e) => setWholeFleet(e.target.checked)} /> {depot ? `all of depot ${depot}` : 'whole fleet'}
          </label>
        )}
      </div>
      <div className="row">
        <button type="button" onClick={start} disabled={running}>
          Export {format.toUpperCase()}
        </button>
        {/* a map file of positions holds points (one track per vehicle); other reports count rows */}
      {running && (
          <button type="button" onClick={() => void api.call('cancelExport', { jobId: job!.jobId })}>
            Cancel
          </button>
        )}
      </div>
      {/* a map file of positions holds points (one track per vehicle); other reports count rows */}
      {running && (
        <>
          <progress max={100} value={pct} aria-label="Export progress" />
          <span className="muted num">
            {job!.rows.toLocaleString()} / {job!.totalRows.toLocaleString()} {unitOf(job!)}
          </span>
        </>
      )}
      {job?.state === 'done' && (
        <p className="export-done" data-file={job.fileName}>
          {job.savedPath ? `Saved ${job.rows.toLocaleString()} ${unitOf(job)} to ${job.savedPath}` : `Downloaded ${job.fileName} (${job.rows.toLocaleString()} ${unitOf(job)}, ${Math.ceil(job.bytes / 1024)} KiB)`}
        </p>
      )}
      {job?.state === 'cancelled' && <p className="muted">Export cancelled; no file was kept.</p>}
      {(error || job?.state === 'failed') && <p className="error">{error ?? job?.error}</p>}
    </section>
  );
}
