// Headquarters' side on a real database: a depot is stale when it has been silent a minute, or when what it
// still has to send is older than a minute (it is catching up); messages that are not batches are kept as
// dead letters with why, and a batch delivered twice is stored once.
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../core/storage/store';
import { Receiver } from './receiver';
import { encodeBatch, type Batch } from './wire';

let store: Store | null = null;
afterEach(() => store?.close());

function receiver() {
  store = new Store(path.join(mkdtempSync(path.join(os.tmpdir(), 'fleetdesk-hq-')), 'hq.sqlite'));
  const committed: number[] = [];
  const logs: string[] = [];
  const jobs: number[][] = [];
  const r = new Receiver({ store, broker: { url: 'mqtt://127.0.0.1:1' }, log: (l) => logs.push(l), committed: (p) => committed.push(p.length), alerts: () => undefined, jobs: (ids) => jobs.push(ids) });
  return { r, store, committed, logs, jobs };
}

const T = Date.UTC(2026, 11, 2, 9);
const row = (id: number, vehicle: string, tsMs: number, quality: string | null = null) => [id, vehicle, tsMs, 52.5, -1.9, 30, 90, 50, 1500, 1000, null, 0.9, 9, 80, 1, null, quality, 'mqtt', null];
const batch = (over: Partial<Batch>): Batch => ({ v: 1, depot: 'north', stream: 'telemetry', fromId: 0, toId: 2, sentMs: T, depotNewestMs: T, backlogRows: 0, backlogOldestMs: null, rows: [row(1, 'N-1', T - 1000), row(2, 'N-2', T - 1000, 'high_hdop')], ...over });

describe('headquarters', () => {
  it('says a depot is stale when it is silent a minute or its backlog is a minute old', () => {
    const { r } = receiver();
    r.apply('fleetdesk/north/telemetry', encodeBatch(batch({})), T);
    r.apply('fleetdesk/south/telemetry', encodeBatch(batch({ depot: 'south', rows: [row(1, 'S-1', T)], backlogRows: 40_000, backlogOldestMs: T - 5 * 60_000 })), T);
    const at = (ms: number) => Object.fromEntries(r.depots(ms).map((d) => [d.id, { stale: d.stale, behindMs: d.behindMs, vehicles: d.vehicles }]));
    expect(at(T + 30_000)).toEqual({ north: { stale: false, behindMs: 0, vehicles: ['N-1', 'N-2'] }, south: { stale: true, behindMs: 5.5 * 60_000, vehicles: ['S-1'] } });
    expect(at(T + 90_000).north).toEqual({ stale: true, behindMs: 90_000, vehicles: ['N-1', 'N-2'] });
  });

  it('stores a batch delivered twice once, with the depot quality flags; keeps what is not a batch as a dead letter with why', () => {
    const { r, store, committed } = receiver();
    r.apply('fleetdesk/north/telemetry', encodeBatch(batch({})), T);
    r.apply('fleetdesk/north/telemetry', encodeBatch(batch({})), T + 1000);
    expect(store.db.prepare(`SELECT vehicle_id, quality FROM telemetry ORDER BY vehicle_id`).all()).toEqual([
      { vehicle_id: 'N-1', quality: null },
      { vehicle_id: 'N-2', quality: 'high_hdop' },
    ]);
    expect(committed).toEqual([2]);
    r.apply('fleetdesk/north/telemetry', Buffer.from('{"v":1}'), T);
    r.apply('fleetdesk/north/telemetry', gzipSync('not json'), T);
    r.apply('fleetdesk/south/telemetry', encodeBatch(batch({})), T);
    r.apply('fleetdesk/north/positions', encodeBatch(batch({})), T);
    r.apply('fleetdesk/north/telemetry', encodeBatch(batch({ toId: -1 })), T);
    expect(store.telemetry.deadLetters(10).map((d) => d.reason).reverse()).toEqual([
      expect.stringMatching(/^not a gzip batch/),
      'not JSON inside the gzip',
      'batch of north/telemetry on fleetdesk/south/telemetry',
      'not a depot batch topic (fleetdesk/<depot>/telemetry|changes|driving|visits)',
      'bad id range',
    ]);
  });

  it('stores a depot\'s driving events once, however often they arrive', () => {
    const { r, store } = receiver();
    const ev = (id: number, startMs: number) => [id, 'harsh_brake', 'N-1', 'DRV-ANA', startMs + 2000, startMs, 0.8, 4.1, 3.5, 52.5, -1.9];
    const driving = batch({ stream: 'driving', fromId: 0, toId: 2, rows: [ev(1, T - 60_000), ev(2, T - 30_000)] });
    r.apply('fleetdesk/north/driving', encodeBatch(driving), T);
    r.apply('fleetdesk/north/driving', encodeBatch(driving), T + 500);
    expect(store.drivers.listEvents({ vehicleId: 'N-1', fromMs: T - 3_600_000, toMs: T, limit: 10 }).map((e) => [e.type, e.driverId, e.startMs])).toEqual([
      ['harsh_brake', 'DRV-ANA', T - 60_000],
      ['harsh_brake', 'DRV-ANA', T - 30_000],
    ]);
  });

  it('stores a depot\'s geofence visits once, with the fence\'s name at the depot', () => {
    const { r, store } = receiver();
    const visits = batch({ stream: 'visits', fromId: 0, toId: 2, rows: [[1, 'N-1', 'fence-a', 'enter', T - 600_000, T - 610_000, 'Depot gate'], [2, 'N-1', 'fence-a', 'exit', T - 60_000, T - 60_000, 'Depot gate']] });
    r.apply('fleetdesk/north/visits', encodeBatch(visits), T);
    r.apply('fleetdesk/north/visits', encodeBatch(visits), T + 500);
    expect(store.fences.visits('N-1', T - 3_600_000, T)).toEqual([{ vehicleId: 'N-1', fenceId: 'fence-a', fenceName: 'Depot gate', enterMs: T - 610_000, exitMs: T - 60_000, durationS: 550 }]);
  });

  it('stores a depot\'s job whole at each change, once; a job it cannot store is left out with why, the rest kept', () => {
    const { r, store, logs, jobs } = receiver();
    const job = (id: number, status: string, stops: unknown[][], events: unknown[][]) => ({ id, job: ['Bakery', 'normal', '', null, status, 'N-1', 'answered', T - 60_000, 'ana', T, null, null], stops, events });
    const stop = (seq: number, status: string) => [seq, 'dropoff', `Stop ${seq}`, 52.4, -1.8, 150, null, null, null, status, null, null, status === 'done' ? T : null, null];
    const ev = (tsMs: number, what: string) => [tsMs, null, what, 'ana', '', 'N-1'];
    const changes = (rows: unknown[], toId: number) => encodeBatch(batch({ stream: 'changes', fromId: toId - 1, toId, rows: [], jobs: rows as Batch['jobs'] }));
    r.apply('fleetdesk/north/changes', changes([job(7, 'accepted', [stop(1, 'pending')], [ev(T - 60_000, 'planned'), ev(T - 50_000, 'accepted')])], 1), T);
    r.apply('fleetdesk/north/changes', changes([job(7, 'accepted', [stop(1, 'pending')], [ev(T - 60_000, 'planned'), ev(T - 50_000, 'accepted')])], 1), T);
    // under way at the depot, worked there: headquarters' own board neither tracks nor times it
    expect(store.jobs.list({ open: true, limit: 10 })).toHaveLength(1);
    expect(store.jobs.allActive()).toEqual([]);
    expect(store.jobs.activeOf('N-1')).toEqual([]);
    // a broken job beside a good change: the good one is stored
    r.apply('fleetdesk/north/changes', changes([{ id: 8, job: ['x'], stops: [], events: [] }, job(7, 'done', [stop(1, 'done')], [ev(T - 60_000, 'planned'), ev(T - 50_000, 'accepted'), ev(T, 'done')])], 2), T);
    const stored = store.jobs.list({ limit: 10 });
    expect(stored.map((j) => [j.ref, j.status, j.depotId, j.stops.map((s) => s.status)])).toEqual([['Bakery', 'done', 'north', ['done']]]);
    expect(store.jobs.timeline(stored[0]!.id).map((e) => e.what)).toEqual(['planned', 'accepted', 'done']);
    expect(jobs).toEqual([[stored[0]!.id], [stored[0]!.id], [stored[0]!.id]]);
    expect(logs).toEqual([expect.stringMatching(/changes 1–2, job 8: not a job row; left out/)]);
  });
});
