// The embedded broker's side of "acknowledged only after commit", seen on the wire by a raw MQTT client:
// a QoS 1 telemetry publish gets its PUBACK from FleetDesk once the ingest says it is stored, never
// before; acknowledgements keep arrival order; a full ingest queue stops the broker reading the connection.
import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../src/main/adapters/embedded-broker';
import { hashSecret, INTERNAL_USERNAME, type BrokerSecurity } from '../src/main/core/security/broker-policy';
import { LoginGuard } from '../src/main/core/security/login-guard';
import { waitFor } from './helpers';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

const anonymous: BrokerSecurity = { allowAnonymous: true, fleetTokenHash: null, vehicleSecretHash: () => null, internalSecret: 'x'.repeat(32) };

interface Held {
  topic: string;
  payload: string;
  done: () => void;
}

async function broker(
  options: { backpressure?: () => Promise<void> | null; security?: BrokerSecurity; loginGuard?: LoginGuard } = {},
): Promise<{ broker: EmbeddedBroker; held: Held[] }> {
  const held: Held[] = [];
  const b = await startEmbeddedBroker({
    port: 0,
    security: () => options.security ?? anonymous,
    loginGuard: options.loginGuard,
    ingest: (topic, payload, done) => held.push({ topic, payload: payload.toString(), done }),
    ingestBackpressure: options.backpressure,
  });
  open.push(b);
  return { broker: b, held };
}

/** A raw MQTT 3.1.1 client that records every packet the broker sends back, in order. */
async function rawClient(
  port: number,
  login: { username: string; password: string } | null = null,
  clientId = `raw-${Math.random()}`,
  expectedReturnCode = 0,
  clean = true,
): Promise<{ send(p: Record<string, unknown>): void; received: { cmd: string; messageId?: number; returnCode?: number }[]; socket: net.Socket }> {
  const socket = net.connect(port, '127.0.0.1');
  open.push({ close: () => socket.destroy() });
  await new Promise((r) => socket.once('connect', r));
  const received: { cmd: string; messageId?: number; returnCode?: number }[] = [];
  const parser = mqttPacket.parser();
  parser.on('packet', (p) => received.push({ cmd: p.cmd, messageId: (p as { messageId?: number }).messageId, returnCode: (p as { returnCode?: number }).returnCode }));
  socket.on('data', (d) => parser.parse(d));
  const send = (p: Record<string, unknown>) => socket.write(mqttPacket.generate(p as unknown as mqttPacket.Packet));
  send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean, clientId, keepalive: 0, ...(login ? { username: login.username, password: Buffer.from(login.password) } : {}) });
  const connack = await waitFor(() => received.find((p) => p.cmd === 'connack'), 'CONNACK');
  expect(connack.returnCode).toBe(expectedReturnCode);
  return { send, received, socket };
}

const publish = (vehicle: string, messageId: number, qos: 0 | 1 = 1, topic = `fleet/${vehicle}/telemetry`) => ({
  cmd: 'publish',
  topic,
  payload: JSON.stringify({ vehicle_id: vehicle, n: messageId }),
  qos,
  messageId,
  retain: false,
  dup: false,
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('embedded broker: acknowledgement after commit', () => {
  it('sends the PUBACK of a QoS 1 telemetry publish only when the ingest has stored it, in arrival order', async () => {
    const { broker: b, held } = await broker();
    const client = await rawClient(b.port);
    for (const id of [7, 8, 9]) client.send(publish('V1', id));
    await waitFor(() => held.length === 3 || null, 'three publishes handed to ingest');
    expect(held.map((h) => JSON.parse(h.payload).n)).toEqual([7, 8, 9]);
    await pause(100);
    expect(client.received.filter((p) => p.cmd === 'puback')).toEqual([]); // nothing stored yet, nothing acknowledged

    held[0]!.done();
    await waitFor(() => client.received.some((p) => p.cmd === 'puback') || null, 'first PUBACK');
    await pause(50);
    expect(client.received.filter((p) => p.cmd === 'puback').map((p) => p.messageId)).toEqual([7]);

    held[1]!.done();
    held[2]!.done();
    await waitFor(() => client.received.filter((p) => p.cmd === 'puback').length === 3 || null, 'all PUBACKs');
    expect(client.received.filter((p) => p.cmd === 'puback').map((p) => p.messageId)).toEqual([7, 8, 9]);
  });

  it('keeps reading a connection while earlier publishes wait for their commit', async () => {
    const { broker: b, held } = await broker();
    const client = await rawClient(b.port);
    client.send(publish('V1', 1));
    await waitFor(() => held.length === 1 || null, 'first publish');
    client.send(publish('V1', 2)); // a later chunk: read although publish 1 is not stored yet
    await waitFor(() => held.length === 2 || null, 'second publish handed over before the first was stored');
    for (const h of held) h.done();
    await waitFor(() => client.received.filter((p) => p.cmd === 'puback').length === 2 || null, 'both PUBACKs');
  });

  it.each([1, 0] as const)('stops reading a connection while the ingest queue is full, and resumes when it drains (QoS %i)', async (qos) => {
    let release: () => void = () => undefined;
    let full = true;
    const drained = new Promise<void>((r) => (release = r));
    const { broker: b, held } = await broker({ backpressure: () => (full ? drained : null) });
    const client = await rawClient(b.port);
    client.send(publish('V1', 1, qos));
    await waitFor(() => held.length === 1 || null, 'first publish');
    for (const id of [2, 3, 4]) client.send(publish('V1', id, qos));
    await pause(200);
    expect(held.length).toBe(1); // the broker did not read on, whatever the QoS (a QoS 0 flood has no acks to slow it)
    full = false;
    release();
    await waitFor(() => held.length === 4 || null, 'the rest after the queue drained');
    for (const h of held) h.done();
    if (qos === 1) await waitFor(() => client.received.filter((p) => p.cmd === 'puback').length === 4 || null, 'four PUBACKs');
  });

  it('hands QoS 0 telemetry to ingest, and leaves other topics to the broker (acknowledged by it)', async () => {
    const { broker: b, held } = await broker();
    const client = await rawClient(b.port, { username: INTERNAL_USERNAME, password: anonymous.internalSecret });
    client.send(publish('V1', 0, 0));
    client.send(publish('V1', 5, 1, 'fleet/V1/status'));
    await waitFor(() => client.received.find((p) => p.cmd === 'puback' && p.messageId === 5), 'PUBACK of the status publish');
    await waitFor(() => held.length === 1 || null, 'the QoS 0 report');
    expect(held[0]!.topic).toBe('fleet/V1/telemetry');
  });

  it('sends nothing to a connection that closed before its publishes were stored', async () => {
    const { broker: b, held } = await broker();
    const client = await rawClient(b.port);
    client.send(publish('V1', 1));
    await waitFor(() => held.length === 1 || null, 'publish');
    client.send({ cmd: 'disconnect' });
    await pause(100);
    held[0]!.done();
    // the broker goes on serving: the next connection's publish is acknowledged as usual
    const next = await rawClient(b.port);
    next.send(publish('V2', 3));
    await waitFor(() => held.length === 2 || null, 'the next publish');
    held[1]!.done();
    await waitFor(() => next.received.find((p) => p.cmd === 'puback' && p.messageId === 3), 'its PUBACK');
    expect(client.received.filter((p) => p.cmd === 'puback')).toEqual([]);
  });
});

describe('embedded broker: what one client can do to it', () => {
  const closed = (socket: net.Socket) => waitFor(() => socket.destroyed || socket.readableEnded || null, 'the broker to close the connection');

  it('closes a connection that declares a packet larger than allowed, before login and after', async () => {
    const { broker: b } = await broker();
    // a CONNECT declaring 256 MB, then data: never buffered, the connection is closed
    const socket = net.connect(b.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.on('error', () => undefined);
    socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
    socket.write(Buffer.alloc(128 * 1024, 1));
    await closed(socket);
    // logged in, a 300 KiB publish is refused the same way
    const client = await rawClient(b.port);
    client.socket.on('error', () => undefined);
    client.send({ ...publish('V1', 1), payload: Buffer.alloc(300 * 1024, 0x20) });
    await closed(client.socket);
    expect(b.guard.byReason['packet too large']).toBe(2);
    // a normal client is still served
    const next = await rawClient(b.port);
    next.send(publish('V2', 0, 0));
  });

  it('refuses a client id that belongs to another vehicle, so no one takes over its persistent session', async () => {
    const secrets = { V1: hashSecret('secret-1'), V2: hashSecret('secret-2') } as Record<string, string>;
    const security: BrokerSecurity = { ...anonymous, vehicleSecretHash: (id) => secrets[id] ?? null };
    const { broker: b } = await broker({ security });
    await rawClient(b.port, { username: 'V1', password: 'secret-1' }, 'V2', 2); // identifier rejected
    await rawClient(b.port, { username: 'V1', password: 'secret-1' }, 'V2/x', 2);
    await rawClient(b.port, { username: 'V1', password: 'secret-1' }, 'V1');
    await rawClient(b.port, { username: 'V1', password: 'secret-1' }, 'V1/phone');
    await rawClient(b.port, null, 'V2', 2); // anonymous, under a registered vehicle's id
    await rawClient(b.port, null, 'someone-else');
    // a random id is fine for a clean session (mqtt.js's default), never for a vehicle's persistent one
    await rawClient(b.port, { username: 'V1', password: 'secret-1' }, 'mqttjs_1234');
    await rawClient(b.port, { username: 'V1', password: 'secret-1' }, 'mqttjs_1234', 2, false);
    await rawClient(b.port, { username: 'V1', password: 'secret-1' }, 'V1', 0, false);
    expect(b.guard.byReason['client id not owned']).toBe(4);
  });

  it('locks a name out after five wrong secrets without running scrypt for it, and still lets the real vehicle in', async () => {
    const security: BrokerSecurity = { ...anonymous, allowAnonymous: false, vehicleSecretHash: (id) => (id === 'V1' ? stored : null) };
    const stored = hashSecret('right');
    const { broker: b } = await broker({ security, loginGuard: new LoginGuard({ maxFailures: 5, lockMs: 60_000 }) });
    await rawClient(b.port, { username: 'V1', password: 'right' }, 'V1'); // a real vehicle that logged in before
    for (let i = 0; i < 5; i++) await rawClient(b.port, { username: 'V1', password: `wrong-${i}` }, 'V1', 4);
    // locked: refused at once, whatever the secret, and counted
    await rawClient(b.port, { username: 'V1', password: 'wrong-again' }, 'V1', 5);
    expect(b.guard.byReason['throttled']).toBe(1);
    expect(b.guard.byReason['bad credentials']).toBe(5);
    // the vehicle's own secret, known to have verified, still gets in during the lock
    await rawClient(b.port, { username: 'V1', password: 'right' }, 'V1');
    expect(b.guard.perUser.get('V1')).toMatchObject({ count: 6, lastReason: 'throttled' });
  });
});
