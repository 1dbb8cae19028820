// Dispatching methods: jobs, suggestions, assignment, cancellation, CSV import.
import type { jobsMethods, messagesMethods, NewJob, NewStop } from '../../../shared/contract/jobs';
import type { Messenger } from './messenger';
import { JOB_PRIORITIES, STOP_KINDS } from '../../../shared/contract/jobs';
import { readCsv } from '../../core/util/csv';
import { actor, limitOf, type HandlersOf } from '../../api/handlers';
import { ApiError } from '../../api/api-error';
import type { JobBoard } from './board';

export function jobsHandlers(d: { board: JobBoard }): HandlersOf<typeof jobsMethods> {
  const { board } = d;
  return {
    createJob: async (p, caller) => board.create(p, actor(caller, undefined, 'dispatcher')),
    listJobs: async (p) => board.list({ open: p.open, vehicleId: p.vehicleId, limit: limitOf(p.limit, 200, 2000) }),
    getJob: async (p) => {
      const job = board.shown(board.get(p.id));
      return { job, timeline: board.timeline(p.id) };
    },
    suggestVehicles: async (p) => board.suggest(p.id, p.limit ?? 5),
    assignJob: async (p, caller) => board.assign(p.id, p.vehicleId.trim(), actor(caller, undefined, 'dispatcher')),
    settleStop: async (p, caller) => board.settleStop(p.id, p.seq, p.outcome, p.reason ?? '', actor(caller, undefined, 'dispatcher')),
    cancelJob: async (p, caller) => board.cancel(p.id, p.reason.trim() || 'no reason given', actor(caller, undefined, 'dispatcher')),
    importJobsCsv: async (p, caller) => {
      const { jobs, errors } = jobsFromCsv(p.text);
      let imported = 0;
      for (const [line, job] of jobs) {
        try {
          board.create(job, actor(caller, undefined, 'dispatcher'));
          imported++;
        } catch (err) {
          errors.push(`job from line ${line}: ${(err as Error).message}`);
        }
      }
      return { imported, errors };
    },
  };
}

/** Rows with the same ref are one job's stops, in the order given. Times are ISO 8601 with a zone (or epoch ms). */
export function jobsFromCsv(text: string): { jobs: [number, NewJob][]; errors: string[] } {
  let csv: ReturnType<typeof readCsv>;
  try {
    csv = readCsv(text);
  } catch (err) {
    throw new ApiError('bad_request', `The CSV cannot be read: ${(err as Error).message}.`);
  }
  const col = csv.column;
  if (col('ref') < 0 || ((col('lat') < 0 || col('lon') < 0) && col('fence') < 0))
    throw new ApiError('bad_request', `The CSV needs a header with at least ref and either lat and lon or fence (missing: ${col('ref') < 0 ? 'ref' : 'lat, lon or fence'}).`);
  const errors: string[] = [];
  const byRef = new Map<string, [number, NewJob]>();
  csv.rows.forEach(({ line, cells: r }) => {
    const get = (name: string) => (col(name) >= 0 ? (r[col(name)] ?? '').trim() : '');
    const ref = get('ref');
    const fence = get('fence');
    const lat = Number(get('lat'));
    const lon = Number(get('lon'));
    const kind = get('kind') || 'dropoff';
    const priority = get('priority') || 'normal';
    const vehicleClass = get('vehicle_class') || null;
    const time = (name: string): number | null | string => {
      const v = get(name);
      if (!v) return null;
      const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
      return Number.isFinite(ms) && (/^\d+$/.test(v) || /(Z|[+-]\d\d:?\d\d)$/i.test(v)) ? ms : `${name} "${v}" is not a time with its zone (e.g. 2026-12-02T09:00:00Z)`;
    };
    const ws = time('window_start');
    const we = time('window_end');
    const radius = get('radius_m') ? Number(get('radius_m')) : undefined;
    const problem = !ref
      ? 'no ref'
      : !fence && (!(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180) || get('lat') === '' || get('lon') === '')
        ? `impossible position ${get('lat')}, ${get('lon')}`
        : !(STOP_KINDS as readonly string[]).includes(kind)
          ? `kind must be one of ${STOP_KINDS.join(', ')}`
          : !(JOB_PRIORITIES as readonly string[]).includes(priority)
            ? `priority must be one of ${JOB_PRIORITIES.join(', ')}`
            : typeof ws === 'string'
              ? ws
              : typeof we === 'string'
                ? we
                : radius !== undefined && !(radius >= 20 && radius <= 5000)
                  ? 'radius_m must be 20–5000'
                  : null;
    if (problem) return void errors.push(`line ${line}: ${problem}`);
    const at = fence ? { fenceId: fence } : { lat, lon };
    const stop: NewStop = { kind: kind as NewStop['kind'], name: get('name') || undefined, ...at, radiusM: radius, windowStartMs: ws as number | null, windowEndMs: we as number | null };
    const existing = byRef.get(ref);
    if (existing) existing[1].stops.push(stop);
    else byRef.set(ref, [line, { ref, priority: priority as NewJob['priority'], notes: get('notes'), vehicleClass, stops: [stop] }]);
  });
  return { jobs: [...byRef.values()], errors };
}

/** Text messages with drivers. */
export function messagesHandlers(d: { messenger: Messenger }): HandlersOf<typeof messagesMethods> {
  return {
    sendMessage: async (p, caller) => d.messenger.send(p.vehicleId.trim(), p.text, actor(caller, undefined, 'dispatcher')),
    listMessages: async (p) => d.messenger.list(p.vehicleId, limitOf(p.limit, 100, 1000)),
    markMessagesRead: async (p) => ({ read: d.messenger.markRead(p.vehicleId) }),
    getUnreadMessages: async () => d.messenger.unread(),
  };
}
