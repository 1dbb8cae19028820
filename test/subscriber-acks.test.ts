// The mqtt.js subscriber (external brokers) acknowledges a QoS 1 delivery only when the consumer says it
// is stored, and then on the wire in a form the broker accepts: seen from the broker's side (aedes).
import http from 'node:http';
import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttSubscriber } from '../src/main/adapters/mqtt-subscriber';
import { waitFor } from './helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An aedes broker on a free TCP port, closed after the test. */
async function tcpBroker(): Promise<{ broker: Aedes; url: string }> {
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => broker.close(() => server.close(() => r()))));
  return { broker, url: `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}` };
}

/** Starts the subscriber, waits for its subscription, then connects a publisher. */
async function subscribeThenPublisher(sub: MqttSubscriber, broker: Aedes, url: string, clientId: string) {
  sub.start();
  cleanups.push(() => sub.stop());
  await waitFor(() => broker.connectedClients === 1 || null, 'the subscriber');
  await new Promise((r) => setTimeout(r, 200)); // its subscription
  const pub = await mqtt.connectAsync(url, { clientId });
  cleanups.push(() => pub.endAsync());
  return pub;
}

describe('mqtt.js subscriber acknowledgements', () => {
  it('sends no PUBACK before the consumer acks, then every one, and the broker accepts them', async () => {
    const { broker, url } = await tcpBroker();

    const acked = new Set<number>(); // message ids the broker got a PUBACK for from the subscriber
    broker.on('ack', (packet, client) => {
      if (client?.id === 'fd-sub' && packet && 'messageId' in packet && typeof packet.messageId === 'number') acked.add(packet.messageId);
    });
    const pendingAcks: (() => void)[] = [];
    const received: string[] = [];
    const sub = new MqttSubscriber({ url, clientId: 'fd-sub' }, { onState: () => undefined, onMessage: (_t, payload, ack) => (received.push(payload.toString()), pendingAcks.push(ack)) });
    const pub = await subscribeThenPublisher(sub, broker, url, 'pub');
    const N = 300;
    await Promise.all(Array.from({ length: N }, (_, i) => pub.publishAsync(`fleet/V${i % 7}/telemetry`, `m${i}`, { qos: 1 })));
    await waitFor(() => received.length === N || null, 'every delivery');
    await new Promise((r) => setTimeout(r, 200));
    expect(acked.size).toBe(0); // nothing stored yet, nothing acknowledged

    for (const a of pendingAcks.splice(0, 100)) a();
    await waitFor(() => acked.size === 100 || null, 'the first hundred PUBACKs');
    for (const a of pendingAcks.splice(0)) a();
    await waitFor(() => acked.size === N || null, 'every PUBACK');
    expect(broker.connectedClients).toBe(2); // the broker took the subscriber's PUBACKs without closing it
  });

  it('works the same over a WebSocket connection, and takes QoS 0 reports without acknowledging them', async () => {
    const broker = await Aedes.createBroker();
    const server = http.createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => broker.handle(createWebSocketStream(ws) as unknown as net.Socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => broker.close(() => wss.close(() => server.close(() => r())))));
    const url = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

    const acked = new Set<number>();
    broker.on('ack', (packet, client) => {
      if (client?.id === 'fd-ws' && packet && 'messageId' in packet && typeof packet.messageId === 'number') acked.add(packet.messageId);
    });
    const received: { payload: string; ack: () => void }[] = [];
    const sub = new MqttSubscriber({ url, clientId: 'fd-ws' }, { onState: () => undefined, onMessage: (_t, payload, ack) => received.push({ payload: payload.toString(), ack }) });
    const pub = await subscribeThenPublisher(sub, broker, url, 'pub-ws');
    await Promise.all(Array.from({ length: 50 }, (_, i) => pub.publishAsync(`fleet/W${i % 3}/telemetry`, `q1-${i}`, { qos: 1 })));
    await Promise.all(Array.from({ length: 10 }, (_, i) => pub.publishAsync(`fleet/W${i % 3}/telemetry`, `q0-${i}`, { qos: 0 })));
    await waitFor(() => received.length === 60 || null, 'every delivery');
    expect(received.map((r) => r.payload).sort()).toEqual([...Array.from({ length: 50 }, (_, i) => `q1-${i}`), ...Array.from({ length: 10 }, (_, i) => `q0-${i}`)].sort());
    await new Promise((r) => setTimeout(r, 200));
    expect(acked.size).toBe(0);
    for (const r of received) r.ack();
    await waitFor(() => acked.size === 50 || null, 'a PUBACK for each QoS 1 report');
    await new Promise((r) => setTimeout(r, 200));
    expect(acked.size).toBe(50); // and nothing for QoS 0
    expect(broker.connectedClients).toBe(2);
  });

  it('stops reading while the consumer is full and reads on, losing nothing, when it drains', async () => {
    const { broker, url } = await tcpBroker();

    const received: string[] = [];
    let full: { promise: Promise<void>; drain: () => void } | null = null;
    const sub = new MqttSubscriber(
      { url, clientId: 'fd-full' },
      {
        onState: () => undefined,
        onMessage: (_t, payload, ack) => (received.push(payload.toString()), ack()),
        // full after the 10th message, until the test drains it
        backpressure: () => {
          if (received.length !== 10 || full) return full?.promise ?? null;
          let drain!: () => void;
          const promise = new Promise<void>((r) => (drain = r));
          full = { promise, drain };
          return promise;
        },
      },
    );
    const pub = await subscribeThenPublisher(sub, broker, url, 'pub-full');
    const N = 200;
    await Promise.all(Array.from({ length: N }, (_, i) => pub.publishAsync(`fleet/F${i % 5}/telemetry`, `m${i}`, { qos: 1 })));
    await waitFor(() => received.length >= 10 || null, 'the first ten');
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(10); // held: nothing more handed out while full
    full!.drain();
    await waitFor(() => received.length === N || null, 'the rest after the drain');
    expect(new Set(received).size).toBe(N);
  });
});
