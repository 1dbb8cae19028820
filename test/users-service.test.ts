// A hub's users through the real service and its WebSocket transport: signing in (the first sign-in makes
// the admin), roles enforced on the server, actions recorded with the user's name, lockout after failed
// sign-ins, and sessions that end — by sign-out, revocation or expiry — closing their sockets.
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../src/shared/api';
import { startWsServer, type WsServer } from '../src/main/adapters/ws-server';
import { FleetService } from '../src/main/app/service';
import mqtt from 'mqtt';
import { telemetry, tempDir, waitFor, WORKER_PATH } from './helpers';

let server: WsServer | null = null;
let service: FleetService | null = null;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await server?.close();
  await service?.stop();
});

/** A hub: the real service requiring sign-in, behind the real WebSocket transport. */
async function hub(opts: { sessionIdleMs?: number; allowAnonymous?: boolean } = {}) {
  service = new FleetService({ dbFile: path.join(tempDir(), 'hub.sqlite'), workerPath: WORKER_PATH, embeddedBroker: { port: 0, allowAnonymous: opts.allowAnonymous }, signInRequired: true, sessionIdleMs: opts.sessionIdleMs });
  await service.start();
  server = await startWsServer({ rendererDir: path.resolve('out/renderer'), handlers: service.handlers, events: service, port: 0, callerFor: (address, close) => service!.accounts.connectionCaller(address, close) });
  return { url: `ws://127.0.0.1:${server.port}/api`, origin: server.url };
}

/** A screen's socket: calls in order, events and its closing recorded. */
async function screen(h: { url: string; origin: string }) {
  const ws = new WebSocket(h.url, { origin: h.origin });
  sockets.push(ws);
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const events: string[] = [];
  let closed: number | null = null;
  let id = 0;
  const waiting = new Map<number, (f: ServerFrame) => void>();
  ws.on('message', (d) => {
    const f = JSON.parse(String(d)) as ServerFrame;
    if (f.type === 'event') events.push(f.event);
    else waiting.get(f.id)?.(f);
  });
  ws.on('close', (code) => (closed = code));
  const call = (method: string, params: unknown = {}) =>
    new Promise<ServerFrame & { type: 'result' }>((resolve) => {
      const n = ++id;
      waiting.set(n, resolve as (f: ServerFrame) => void);
      ws.send(JSON.stringify({ type: 'call', id: n, method, params }));
    });
  const ok = async (method: string, params: unknown = {}) => {
    const f = await call(method, params);
    if (!f.ok) throw new Error(`${method}: ${f.error.code} ${f.error.message}`);
    return f.result as never;
  };
  return { ws, call, ok, events, closed: () => closed };
}

describe('users of a hub', () => {
  it('asks for a sign-in before anything, makes the first user the admin, and enforces each role on the server', async () => {
    const h = await hub();
    const a = await screen(h);
    expect(await a.ok('getAccess')).toEqual({ signInRequired: true, user: null, firstStart: true });
    expect(await a.call('listVehicles')).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await a.call('signIn', { name: 'ana', password: 'short' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('at least 8') } });
    const signed = (await a.ok('signIn', { name: 'ana', password: 'correct horse', workstation: 'Desk 1' })) as { token: string; access: { user: { name: string; role: string } } };
    expect(signed.access.user).toEqual({ name: 'ana', role: 'admin' });
    await a.ok('addUser', { name: 'vic', role: 'viewer', password: 'wallboard pass' });
    await a.ok('addUser', { name: 'ben', role: 'dispatcher', password: 'dispatch pass' });

    const v = await screen(h);
    await v.ok('signIn', { name: 'vic', password: 'wallboard pass', workstation: 'Wall' });
    expect(await v.ok('listAlerts')).toEqual([]);
    expect(await v.call('acknowledgeAlerts', { alertIds: [1] })).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'acknowledgeAlerts needs the dispatcher role; vic is signed in as viewer.' } });
    expect(await v.call('addUser', { name: 'eve', role: 'admin', password: 'x'.repeat(10) })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // a role change applies to the next call of a session already open
    await a.ok('setUserRole', { name: 'vic', role: 'dispatcher' });
    expect(await v.call('acknowledgeAlerts', { alertIds: [1] })).toMatchObject({ ok: true });
    // the last admin cannot be demoted
    expect(await a.call('setUserRole', { name: 'ana', role: 'viewer' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('no admin') } });

    const sessions = (await a.ok('listSessions')) as { userName: string; workstation: string }[];
    expect(sessions.map((s) => [s.userName, s.workstation])).toEqual([['ana', 'Desk 1'], ['vic', 'Wall']]);
    const actions = ((await a.ok('listAudit', { limit: 50 })) as { actor: string; action: string }[]).map((e) => `${e.actor} ${e.action}`);
    expect(actions).toEqual(expect.arrayContaining(['ana user_added', 'ana sign_in', 'vic sign_in', 'ana role_changed']));
  });

  it('records who edited a fence by the signed-in user, and pushes events only to signed-in screens', async () => {
    const h = await hub();
    const a = await screen(h);
    await a.ok('signIn', { name: 'ana', password: 'correct horse' });
    await a.ok('addUser', { name: 'ben', role: 'dispatcher', password: 'dispatch pass' });
    const b = await screen(h);
    const stranger = await screen(h);
    await b.ok('signIn', { name: 'ben', password: 'dispatch pass' });
    const fence = (await b.ok('saveGeofence', { name: 'Yard', category: 'depot', geometry: { type: 'Circle', center: [-1.9, 52.48], radiusM: 50 } })) as { id: string };
    await new Promise((r) => setTimeout(r, 1300)); // a status push or two
    expect(a.events).toContain('geofencesChanged');
    expect(stranger.events).toEqual([]);
    const audit = (await a.ok('listAudit', { limit: 10 })) as { actor: string; action: string; detail: string }[];
    expect(audit.find((e) => e.action === 'fence_added')).toMatchObject({ actor: 'ben', detail: expect.stringContaining(fence.id) });
  });

  it('locks a name after five wrong passwords, even against the right one, and says so', async () => {
    const h = await hub();
    const a = await screen(h);
    await a.ok('signIn', { name: 'ana', password: 'correct horse' });
    await a.ok('addUser', { name: 'ben', role: 'dispatcher', password: 'dispatch pass' });
    const b = await screen(h);
    for (let i = 0; i < 5; i++) expect(await b.call('signIn', { name: 'ben', password: `guess ${i}` })).toMatchObject({ ok: false, error: { message: 'Wrong name or password.' } });
    expect(await b.call('signIn', { name: 'ben', password: 'dispatch pass' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('Too many failed sign-ins') } });
    const actions = ((await a.ok('listAudit', { limit: 20 })) as { action: string }[]).map((e) => e.action);
    expect(actions.filter((x) => x === 'sign_in_failed')).toHaveLength(5);
    expect(actions).toContain('sign_in_refused');
  });

  it('ends a session by sign-out, revocation or expiry, and closes its socket; a token resumes only a live session', async () => {
    const h = await hub({ sessionIdleMs: 1500 });
    const a = await screen(h);
    const { token } = (await a.ok('signIn', { name: 'ana', password: 'correct horse' })) as { token: string };
    // another socket of the same screen (a reconnect) resumes with the token
    const again = await screen(h);
    expect(await again.ok('resumeSession', { token })).toMatchObject({ user: { name: 'ana' } });
    await again.ok('signOut');
    await new Promise((r) => setTimeout(r, 100));
    expect(again.closed()).toBe(4001);
    expect(a.closed()).toBe(4001); // the same session: both its sockets go
    expect(await (await screen(h)).call('resumeSession', { token })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });

    // revoked by a supervisor (here the admin)
    const b = await screen(h);
    await b.ok('signIn', { name: 'ana', password: 'correct horse' });
    const c = await screen(h);
    await c.ok('signIn', { name: 'ana', password: 'correct horse', workstation: 'Desk 2' });
    const desk2 = ((await b.ok('listSessions')) as { id: number; workstation: string }[]).find((s) => s.workstation === 'Desk 2')!;
    expect(await b.ok('revokeSession', { id: desk2.id })).toEqual({ revoked: true });
    await new Promise((r) => setTimeout(r, 100));
    expect(c.closed()).toBe(4001);

    // expiry: 1.5 s without use here
    await new Promise((r) => setTimeout(r, 1700));
    expect(await b.call('listVehicles')).toMatchObject({ ok: false, error: { code: 'unauthorized', message: 'Your session has ended: sign in again.' } });
    const d = await screen(h);
    await d.ok('signIn', { name: 'ana', password: 'correct horse' });
    await new Promise((r) => setTimeout(r, 1700));
    service!.accounts.sweep();
    await new Promise((r) => setTimeout(r, 100));
    expect(d.closed()).toBe(4001);
  });

  it('lets a dispatcher take an alert: others are refused until they override; resolving or signing out ends the claim', async () => {
    const h = await hub({ allowAnonymous: true });
    const a = await screen(h);
    await a.ok('signIn', { name: 'ana', password: 'correct horse' });
    await a.ok('addUser', { name: 'ben', role: 'dispatcher', password: 'dispatch pass' });
    const b = await screen(h);
    await b.ok('signIn', { name: 'ben', password: 'dispatch pass' });
    const pub = await mqtt.connectAsync(service!.brokerUrl);
    for (const v of ['CL-1', 'CL-2']) await pub.publishAsync(`fleet/${v}/telemetry`, JSON.stringify(telemetry({ vehicle_id: v, timestamp: Date.now() - 5000, fuel_level: 5 })), { qos: 1 });
    await pub.endAsync();
    const open = async () => (await a.ok('listAlerts', { types: ['low_fuel'] })) as { id: number }[];
    await waitFor(async () => ((await open()).length === 2 ? true : null), 'two low-fuel alerts');
    const [first, second] = await open();

    const taken = (await a.ok('claimAlert', { alertId: first!.id })) as { claimedBy: string };
    expect(taken.claimedBy).toBe('ana');
    expect(await b.call('acknowledgeAlert', { alertId: first!.id })).toMatchObject({ ok: false, error: { code: 'conflict', message: `ana is handling alert ${first!.id}.` } });
    expect(await b.call('claimAlert', { alertId: first!.id })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await b.ok('acknowledgeAlert', { alertId: first!.id, override: true })).toMatchObject({ acknowledgedBy: 'ben', claimedBy: 'ana' });
    // resolving ends the claim
    expect(await a.ok('resolveAlert', { alertId: first!.id })).toMatchObject({ resolvedBy: 'ana', claimedBy: null });
    // signing out lets go of what one held, on every screen
    await a.ok('claimAlert', { alertId: second!.id });
    const released: { id: number; claimedBy: string | null }[] = [];
    service!.on('alertUpdated', (x) => released.push(x));
    const presence: { userName: string }[][] = [];
    service!.on('presence', (p) => presence.push(p));
    await a.ok('signOut');
    await waitFor(() => (released.some((x) => x.id === second!.id && x.claimedBy === null) ? true : null), 'the claim released');
    expect(presence.at(-1)!.map((p) => p.userName)).toEqual(['ben']);
  });

  it('tells a dispatcher back for a shift what happened since the last one: open critical alerts, fences changed, notes left', async () => {
    const h = await hub({ allowAnonymous: true });
    const a = await screen(h);
    await a.ok('signIn', { name: 'ana', password: 'correct horse' });
    await a.ok('addUser', { name: 'ben', role: 'dispatcher', password: 'dispatch pass' });
    await a.ok('addNote', { subject: 'shift', text: 'before ana left: not news to her' });
    await a.ok('signOut');
    const endedMs = Date.now();
    const b = await screen(h);
    await b.ok('signIn', { name: 'ben', password: 'dispatch pass' });
    await b.ok('saveGeofence', { name: 'Gate Z', category: 'restricted', geometry: { type: 'Circle', center: [-1.5, 52.1], radiusM: 80 } });
    await b.ok('addNote', { subject: 'vehicle', subjectId: 'HOT-9', text: 'thermostat, booked for Friday' });
    const pub = await mqtt.connectAsync(service!.brokerUrl);
    await pub.publishAsync('fleet/HOT-9/telemetry', JSON.stringify(telemetry({ vehicle_id: 'HOT-9', timestamp: Date.now() - 2000, coolant_temp_c: 125 })), { qos: 1 });
    await pub.endAsync();
    await waitFor(async () => (((await b.ok('listAlerts', { types: ['coolant_high'] })) as unknown[]).length ? true : null), 'the coolant alert');
    // a note on an alert is kept with that alert; one on nothing is refused
    const [hot] = (await b.ok('listAlerts', { types: ['coolant_high'] })) as { id: number }[];
    await b.ok('addNote', { subject: 'alert', subjectId: String(hot!.id), text: 'driver says the gauge is stuck' });
    expect(await b.call('addNote', { subject: 'alert', subjectId: '999999', text: 'lost' })).toMatchObject({ ok: false, error: { code: 'not_found', message: 'Alert 999999 does not exist.' } });
    expect(await b.call('addNote', { subject: 'vehicle', text: 'whose?' })).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'A note on a vehicle needs its id.' } });
    expect(await b.call('addNote', { subject: 'shift', text: '   ' })).toMatchObject({ ok: false, error: { message: 'The note is empty.' } });
    expect(((await b.ok('listNotes', { subject: 'alert', subjectId: String(hot!.id) })) as { author: string; text: string }[]).map((n) => `${n.author}: ${n.text}`)).toEqual(['ben: driver says the gauge is stuck']);

    const again = await screen(h);
    await again.ok('signIn', { name: 'ana', password: 'correct horse' });
    const hand = (await again.ok('getHandover')) as { previousShiftEndedMs: number; openCritical: { vehicleId: string; type: string }[]; fencesChanged: { name: string; by: string; what: string }[]; notes: { author: string; text: string }[] };
    expect(hand.previousShiftEndedMs).toBeGreaterThan(endedMs - 5000);
    expect(hand.previousShiftEndedMs).toBeLessThanOrEqual(endedMs);
    expect(hand.openCritical.map((x) => [x.vehicleId, x.type])).toEqual([['HOT-9', 'coolant_high']]);
    expect(hand.fencesChanged).toEqual([expect.objectContaining({ name: 'Gate Z', by: 'ben', what: 'added' })]);
    expect(hand.notes.map((n) => `${n.author}: ${n.text}`)).toEqual(['ben: driver says the gauge is stuck', 'ben: thermostat, booked for Friday']);
  });
});
