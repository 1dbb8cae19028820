import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, telemetry, waitFor } from '../../../../test/helpers';
import { Store } from '../storage/store';
import { Ingestor } from './ingestor';

const payload = (over: Record<string, unknown> = {}) => Buffer.from(JSON.stringify(telemetry(over)));
const topic = 'fleet/T-001/telemetry';

let store: Store | null = null;
afterEach(() => store?.close());

describe('Ingestor', () => {
  it('commits a full batch at once and acknowledges only after the commit', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const committed: number[] = [];
    const ing = new Ingestor({ store, maxBatch: 3, onCommitted: (p) => committed.push(p.length) });
    const acked: number[] = [];
    for (let i = 0; i < 2; i++) ing.acceptMqtt(topic, payload({ timestamp: 1_763_884_800_000 + i * 1000 }), () => acked.push(i));
    expect(acked).toEqual([]);
    expect(store.stats().telemetryRows).toBe(0);
    ing.acceptMqtt(topic, payload({ timestamp: 1_763_884_802_000 }), () => acked.push(2));
    expect(store.stats().telemetryRows).toBe(3);
    expect(acked).toEqual([0, 1, 2]);
    expect(committed).toEqual([3]);
    ing.close();
  });

  it('commits a partial batch as soon as the input drains, so latency stays low at low rates', async () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const ing = new Ingestor({ store, maxBatch: 500 });
    let acked = false;
    ing.acceptMqtt(topic, payload(), () => (acked = true));
    expect(acked).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(acked).toBe(true);
    expect(store.stats().telemetryRows).toBe(1);
    ing.close();
  });

  it('puts an invalid message in the dead letters with its reason, and still acknowledges it', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const ing = new Ingestor({ store, maxBatch: 1 });
    let acked = false;
    ing.acceptMqtt(topic, Buffer.from('{"vehicle_id": nope'), () => (acked = true));
    ing.acceptMqtt('fleet/T-001/other', payload());
    expect(acked).toBe(true);
    const dls = store.telemetry.deadLetters(10).reverse();
    expect(dls.map((d) => d.reason)).toEqual([expect.stringMatching(/^malformed JSON/), 'topic "fleet/T-001/other" is not fleet/<vehicle_id>/telemetry']);
    expect(dls[0]!.payloadText).toBe('{"vehicle_id": nope');
    expect(ing.counters).toMatchObject({ accepted: 0, rejected: 2 });
  });

  it('keeps a batch it could not write (disk full), acknowledges nothing, and writes it once space is back', async () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    // A real SQLITE_FULL: cap the database at its current size.
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);
    const errors: string[] = [];
    const ing = new Ingestor({ store, maxBatch: 200, retryDelayMs: 30, onError: (m) => errors.push(m) });
    let acks = 0;
    for (let i = 0; i < 200; i++) ing.acceptMqtt(topic, payload({ timestamp: 1_763_884_800_000 + i * 1000 }), () => acks++);
    expect(errors[0]).toMatch(/could not save telemetry \(database or disk is full\)/);
    expect(acks).toBe(0);
    store.db.pragma('max_page_count = 1073741823');
    await waitFor(() => acks === 200, 'all acks after the disk has room again');
    expect(store.stats().telemetryRows).toBe(200);
    ing.close();
  });

  it('after a full disk, recovers with a little freed space: the backlog is retried in bounded commits, in order', async () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);
    const errors: string[] = [];
    const ing = new Ingestor({ store, maxBatch: 200, maxQueued: 100_000, retryDelayMs: 20, onError: (m) => errors.push(m) });
    const acked: number[] = [];
    for (let i = 0; i < 4000; i++) ing.acceptMqtt(topic, payload({ timestamp: 1_763_884_800_000 + i * 1000 }), () => acked.push(i));
    await new Promise((r) => setTimeout(r, 60));
    expect(acked).toEqual([]);
    expect(ing.failure).toBe('database or disk is full');
    // room for a few hundred rows, far less than the backlog: what fits is stored and acknowledged, in order
    store.db.pragma(`max_page_count = ${pages + 40}`);
    await waitFor(() => acked.length >= 200 || null, 'the first bounded commit after space came back');
    await new Promise((r) => setTimeout(r, 100));
    expect(acked.length).toBeLessThan(4000);
    expect(acked).toEqual(acked.map((_, i) => i));
    expect(store.stats().telemetryRows).toBe(acked.length);
    store.db.pragma('max_page_count = 1073741823');
    await waitFor(() => acked.length === 4000 || null, 'the rest');
    expect(store.stats().telemetryRows).toBe(4000);
    expect(ing.failure).toBeNull();
    // said once when it starts failing and once when it saves again (the 40 pages filled up on the way)
    expect(errors[0]).toBe('could not save telemetry (database or disk is full); retrying every 0.02 s');
    expect(errors.at(-1)).toBe('saving telemetry again');
    expect(errors.filter((e) => e.startsWith('could not')).length).toBe(errors.filter((e) => e === 'saving telemetry again').length);
    ing.close();
  });

  it('counts a redelivered message as a duplicate and hands on only new points', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const handed: number[] = [];
    const ing = new Ingestor({ store, maxBatch: 1, onCommitted: (p) => handed.push(p.length) });
    ing.acceptMqtt(topic, payload());
    ing.acceptMqtt(topic, payload());
    expect(handed).toEqual([1]);
    expect(ing.counters).toMatchObject({ accepted: 1, duplicates: 1 });
  });
});

describe('Ingestor data quality and backpressure', () => {
  it('stores an untrusted fix with its flags, counts it, and hands it on marked', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const handed: string[][] = [];
    const ing = new Ingestor({ store, maxBatch: 2, now: () => 1_763_884_800_000, onCommitted: (p) => handed.push(...p.map((x) => x.flags)) });
    ing.acceptMqtt(topic, payload({ timestamp: 1_763_884_800_000 }));
    ing.acceptMqtt(topic, payload({ timestamp: 1_763_884_801_000, hdop: 9, satellites: 2 }));
    expect(handed).toEqual([[], ['high_hdop', 'few_satellites']]);
    expect(store.db.prepare('SELECT quality FROM telemetry ORDER BY ts_ms').all()).toEqual([{ quality: null }, { quality: 'high_hdop,few_satellites' }]);
    expect(ing.counters).toMatchObject({ accepted: 2, flagged: 1, flaggedByReason: { high_hdop: 1, few_satellites: 1 } });
  });

  it('judges fixes that arrive out of order in time order, so a late fix is not a jump', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const handed: string[][] = [];
    const ing = new Ingestor({ store, maxBatch: 3, now: () => 1_763_884_900_000, onCommitted: (p) => handed.push(...p.map((x) => x.flags)) });
    // 3 fixes 10 s apart, 200 m apart, arriving newest first
    ing.acceptMqtt(topic, payload({ timestamp: 1_763_884_820_000, lat: 52.4836 }));
    ing.acceptMqtt(topic, payload({ timestamp: 1_763_884_810_000, lat: 52.4818 }));
    ing.acceptMqtt(topic, payload({ timestamp: 1_763_884_800_000, lat: 52.48 }));
    expect(handed).toEqual([[], [], []]);
  });

  it('reports full when the queue passes its bound, and drained after the commit', async () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);
    const ing = new Ingestor({ store, maxBatch: 200, maxQueued: 400, retryDelayMs: 20 });
    for (let i = 0; i < 450; i++) ing.acceptMqtt(topic, payload({ timestamp: 1_763_884_800_000 + i * 1000 }));
    expect(ing.full).toBe(true);
    let drained = false;
    void ing.whenDrained().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 60));
    expect(drained).toBe(false);
    store.db.pragma('max_page_count = 1073741823');
    await waitFor(() => drained, 'the drain');
    expect(ing.full).toBe(false);
    expect(store.stats().telemetryRows).toBe(450);
  });
});
