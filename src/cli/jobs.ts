// `fleetdesk jobs add|list|import`: jobs written straight into a FleetDesk database (a running FleetDesk shows
// them at its next list; they are assigned in its Jobs tab).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { JOB_PRIORITIES, STOP_KINDS, type NewJob, type NewStop } from '../shared/contract/jobs';
import { Store } from '../main/core/storage/store';
import { jobsFromCsv } from '../main/domains/jobs/handlers';
import { DEFAULT_STOP_RADIUS_M } from '../main/domains/jobs/board';
import { fenceLookup, resolveStops } from '../main/domains/jobs/stops';
import { UsageError } from './usage-error';

export async function jobsCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { db: { type: 'string' }, ref: { type: 'string' }, stop: { type: 'string', multiple: true }, priority: { type: 'string' }, notes: { type: 'string' }, open: { type: 'boolean' } },
    allowPositionals: true,
  });
  const [action, file] = positionals;
  const store = new Store(path.resolve(values.db ?? 'fleetdesk.sqlite'));
  try {
    if (action === 'list') {
      const list = store.jobs.list({ open: values.open, limit: 10_000 });
      for (const j of list) console.log(`#${j.id}\t${j.status}\t${j.vehicleId ?? '-'}\t${j.ref}\t${j.stops.map((s) => `${s.seq}:${s.name}(${s.status})`).join(' ')}`);
      if (list.length === 0) console.error(values.open ? 'no open jobs' : 'no jobs');
      return;
    }
    const add = (job: NewJob) => {
      const stops = resolveStops(job.stops, fenceLookup(store.fences.list()));
      const id = store.jobs.add({ ...job, stops, createdMs: Date.now(), createdBy: 'fleetdesk jobs' }, DEFAULT_STOP_RADIUS_M);
      store.audit.add({ tsMs: Date.now(), actor: 'fleetdesk jobs', action: 'job_created', detail: JSON.stringify({ id, ref: job.ref }) });
      return id;
    };
    if (action === 'add') {
      if (!values.ref?.trim()) throw new UsageError('jobs add needs --ref NAME (the customer or place)');
      if (!values.stop?.length) throw new UsageError('jobs add needs at least one --stop LAT,LON[,NAME[,KIND]]');
      const stops: NewStop[] = values.stop.map((text, i) => {
        const [lat, lon, name, kind] = text.split(',').map((x) => x.trim());
        const la = Number(lat);
        const lo = Number(lon);
        if (!lat || !lon || !(Math.abs(la) <= 90) || !(Math.abs(lo) <= 180)) throw new UsageError(`--stop ${i + 1} "${text}": give LAT,LON within ±90, ±180`);
        if (kind && !(STOP_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--stop ${i + 1}: KIND is one of ${STOP_KINDS.join(', ')}`);
        return { lat: la, lon: lo, name: name || undefined, kind: (kind || 'dropoff') as NewStop['kind'] };
      });
      const priority = values.priority ?? 'normal';
      if (!(JOB_PRIORITIES as readonly string[]).includes(priority)) throw new UsageError(`--priority is one of ${JOB_PRIORITIES.join(', ')}`);
      const id = add({ ref: values.ref.trim(), priority: priority as NewJob['priority'], notes: values.notes ?? '', stops });
      console.log(`job #${id} added with ${stops.length} stop(s)`);
      return;
    }
    if (action === 'import' && file) {
      let parsed: ReturnType<typeof jobsFromCsv>;
      try {
        parsed = jobsFromCsv(readFileSync(path.resolve(file), 'utf8'));
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      let imported = 0;
      for (const [line, job] of parsed.jobs) {
        try {
          add(job);
          imported++;
        } catch (err) {
          parsed.errors.push(`job from line ${line}: ${(err as Error).message}`);
        }
      }
      for (const e of parsed.errors) console.error(`refused: ${e}`);
      console.log(`${imported} job(s) imported${parsed.errors.length ? `, ${parsed.errors.length} line(s) refused` : ''}`);
      if (parsed.errors.length) process.exitCode = 1;
      return;
    }
    throw new UsageError('use: jobs add --ref NAME --stop LAT,LON[,NAME[,KIND]]... | jobs list [--open] | jobs import FILE.csv');
  } finally {
    store.close();
  }
}
