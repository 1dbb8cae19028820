// Export jobs: build a report, write it in the background with progress and cancel, record it in the
// audit log. The desktop app saves where the user chose in the native dialog; serve mode keeps the file
// in a private folder beside the database until the browser downloads it (once) or an hour passes.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { exportFileName, type ExportProgress, type ReportRequest } from '../../../shared/reports';
import { reportMeta, ReportError, validateReportRequest } from '../../core/reports/reports';
import type { ExportTaskAnswer, ExportTaskInput, ExportTaskMessage } from '../../core/reports/export-task';
import type { Store } from '../../core/storage/store';
import type { PrivacyPolicy } from '../../core/privacy/privacy';
import { ApiError } from '../../api/api-error';
import { workerTask } from '../../core/util/worker-task';

const DOWNLOAD_TTL_MS = 3_600_000;

class Cancelled extends Error {}

interface Job {
  progress: ExportProgress;
  /** Stops the export (its thread finishes the row it is on and removes the partial file). */
  abort: AbortController;
  file: string;
  /** serve mode: the file lives in our private folder and is removed after download. */
  temporary: boolean;
  /** serve mode: the one download has begun; the link answers nothing any more. */
  taken?: boolean;
  expires: NodeJS.Timeout | null;
}

export class ExportJobs {
  private readonly jobs = new Map<string, Job>();

  constructor(
    /** The service's own connection (for the audit log). */
    private readonly store: () => Store,
    /** The database; each export reads it on a connection of its own, in a thread of its own. */
    private readonly dbFile: string,
    /** The worker file (task 'export', see core/reports/export-task.ts). */
    private readonly workerPath: string,
    private readonly exportDir: string,
    private readonly emit: (p: ExportProgress) => void,
    /** Desktop app: asks where to save (null = the user cancelled the dialog). Absent in serve mode. */
    private readonly chooseTarget?: (suggestedName: string) => Promise<string | null>,
  ) {}

  /** `privacy`: what privacy mode hides from the file (null: nothing, after a supervisor unlock). */
  async start(r: ReportRequest & { by?: string }, privacy: PrivacyPolicy | null = null): Promise<ExportProgress> {
    try {
      validateReportRequest(r);
    } catch (err) {
      if (err instanceof ReportError) throw new ApiError('bad_request', err.message);
      throw err;
    }
    const jobId = randomBytes(16).toString('hex'); // also the download's secret
    const fileName = exportFileName(r);
    let file: string;
    let temporary = false;
    if (this.chooseTarget) {
      const chosen = await this.chooseTarget(fileName);
      if (!chosen) {
        return { jobId, report: r.report, format: r.format, fileName, rows: 0, totalRows: 0, state: 'cancelled', error: null, bytes: 0, downloadUrl: null, savedPath: null };
      }
      file = chosen;
    } else {
      const dir = path.join(this.exportDir, jobId);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      file = path.join(dir, fileName);
      temporary = true;
    }
    const job: Job = {
      progress: { jobId, report: r.report, format: r.format, fileName: path.basename(file), rows: 0, totalRows: 0, state: 'running', error: null, bytes: 0, downloadUrl: null, savedPath: null },
      abort: new AbortController(),
      file,
      temporary,
      expires: null,
    };
    this.jobs.set(jobId, job);
    void this.run(job, r, privacy);
    return { ...job.progress };
  }

  private async run(job: Job, r: ReportRequest & { by?: string }, privacy: PrivacyPolicy | null): Promise<void> {
    const p = job.progress;
    let lastEmit = 0;
    const push = (force = false) => {
      const now = Date.now();
      if (force || now - lastEmit >= 200) {
        lastEmit = now;
        this.emit({ ...p });
      }
    };
    try {
      const input: ExportTaskInput = { dbFile: this.dbFile, request: r, privacy: privacy ? { rules: [...privacy.rules], shifts: [...privacy.shifts] } : null, file: job.file, meta: reportMeta(r, Date.now()) };
      const result = await workerTask<ExportTaskMessage, ExportTaskAnswer>(this.workerPath, 'export', input, {
        signal: job.abort.signal,
        progress: (m) => {
          if (m.type === 'total') {
            p.totalRows = m.rows;
            push(true);
          } else if (m.type === 'progress') {
            p.rows = m.rows;
            push();
          } else return false;
          return true;
        },
      });
      if (result.type === 'cancelled') throw new Cancelled();
      if (result.type === 'failed') throw Object.assign(new Error(result.message), { code: result.code ?? undefined });
      p.rows = result.rows;
      p.bytes = result.bytes;
      p.state = 'done';
      if (job.temporary) {
        p.downloadUrl = `/exports/${p.jobId}/${encodeURIComponent(p.fileName)}`;
        job.expires = setTimeout(() => this.forget(p.jobId), DOWNLOAD_TTL_MS);
        job.expires.unref?.();
      } else p.savedPath = job.file;
      this.store().audit.add({
        tsMs: Date.now(),
        actor: r.by ?? 'dispatcher',
        action: 'export',
        detail: JSON.stringify({ report: r.report, format: r.format, fromMs: r.fromMs, toMs: r.toMs, vehicles: r.vehicleIds ?? [], timeZone: r.timeZone, file: p.fileName, rows: p.rows, bytes: p.bytes }),
      });
    } catch (err) {
      if (err instanceof Cancelled) p.state = 'cancelled';
      else {
        p.state = 'failed';
        const e = err as NodeJS.ErrnoException;
        p.error = e.code === 'ENOSPC' ? 'The disk is full: free some space and export again.' : e.code === 'EACCES' ? `FleetDesk may not write to ${path.dirname(job.file)}: choose another folder.` : `Export failed: ${e.message}`;
      }
      if (job.temporary) rmSync(path.dirname(job.file), { recursive: true, force: true });
      this.jobs.delete(p.jobId);
    }
    push(true);
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job || job.progress.state !== 'running') return false;
    job.abort.abort();
    return true;
  }

  get(jobId: string): ExportProgress | null {
    const job = this.jobs.get(jobId);
    return job ? { ...job.progress } : null;
  }

  /** serve mode: the finished file for a download URL's job id and name, handed out once. */
  takeDownload(jobId: string, fileName: string): { file: string; fileName: string; done: () => void } | null {
    const job = this.jobs.get(jobId);
    if (!job || !job.temporary || job.taken || job.progress.state !== 'done' || job.progress.fileName !== fileName) return null;
    job.taken = true; // one link, one download: a second request, even while this one streams, finds nothing
    return { file: job.file, fileName: job.progress.fileName, done: () => this.forget(jobId) };
  }

  private forget(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    if (job.expires) clearTimeout(job.expires);
    if (job.temporary) rmSync(path.dirname(job.file), { recursive: true, force: true });
    this.jobs.delete(jobId);
  }

  close(): void {
    for (const [id, job] of this.jobs) {
      job.abort.abort();
      if (job.progress.state !== 'running') this.forget(id);
    }
  }
}
