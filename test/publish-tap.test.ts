// The PublishTap reads telemetry PUBLISH packets off the broker connection before mqtt.js does: packets
// split anywhere across chunks, long payloads, other packets passed on byte for byte, holding input while
// the ingestor is full, and PUBACKs written after the fact. The connection here is an in-memory duplex so
// the test decides where chunks break; real sockets are in subscriber-acks, broker-restart and crash tests.
import { Duplex } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { PublishTap } from '../src/main/adapters/publish-tap';

interface Seen {
  topic: string;
  payload: string;
  messageId: number | null;
}

function setup(onPublish?: (tap: PublishTap, seen: Seen) => void) {
  const written: Buffer[] = [];
  const inner = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk);
      cb();
    },
  });
  const seen: Seen[] = [];
  const tap = new PublishTap(inner, {
    onPublish: (t, topic, payload, messageId) => {
      const s = { topic, payload: payload.toString(), messageId };
      seen.push(s);
      onPublish?.(t, s);
    },
  });
  const passedOn: Buffer[] = [];
  tap.on('data', (b: Buffer) => passedOn.push(b));
  return { inner, tap, seen, passedOn, written };
}

const publish = (topic: string, payload: string | Buffer, qos: 0 | 1 | 2, messageId?: number) =>
  mqttPacket.generate({ cmd: 'publish', topic, payload, qos, messageId, retain: false, dup: false });
const tick = () => new Promise((r) => setImmediate(r));

describe('PublishTap', () => {
  const big = 'x'.repeat(20_000); // a three-byte remaining length
  const stream = [
    mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }),
    publish('fleet/A/telemetry', '{"a":1}', 1, 7),
    mqttPacket.generate({ cmd: 'suback', messageId: 1, granted: [1] }),
    publish('fleet/B/telemetry', 'qos0', 0),
    publish('fleet/C/telemetry', big, 1, 65535),
    publish('fleet/D/telemetry', 'exactly once', 2, 9),
    mqttPacket.generate({ cmd: 'pingresp' }),
    publish('fleet/É/telemetry', '', 1, 8),
  ];
  const all = Buffer.concat(stream);
  const expectedMessages: Seen[] = [
    { topic: 'fleet/A/telemetry', payload: '{"a":1}', messageId: 7 },
    { topic: 'fleet/B/telemetry', payload: 'qos0', messageId: null },
    { topic: 'fleet/C/telemetry', payload: big, messageId: 65535 },
    { topic: 'fleet/É/telemetry', payload: '', messageId: 8 },
  ];
  // everything but QoS 0/1 PUBLISH goes on to mqtt.js unchanged and in order (QoS 2 needs its exchange)
  const expectedPassedOn = Buffer.concat([stream[0]!, stream[2]!, stream[5]!, stream[6]!]);

  it('takes QoS 0/1 messages off the stream in one piece and passes the rest on byte for byte', async () => {
    const { inner, seen, passedOn } = setup();
    inner.push(all);
    await tick();
    expect(seen).toEqual(expectedMessages);
    expect(Buffer.concat(passedOn).equals(expectedPassedOn)).toBe(true);
  });

  it('reads the same from chunks that break anywhere, down to one byte at a time', async () => {
    for (const size of [1, 2, 3, 5, 64, 1000]) {
      const { inner, seen, passedOn } = setup();
      for (let i = 0; i < all.length; i += size) inner.push(all.subarray(i, i + size));
      await tick();
      expect(seen, `chunks of ${size}`).toEqual(expectedMessages);
      expect(Buffer.concat(passedOn).equals(expectedPassedOn), `chunks of ${size}`).toBe(true);
    }
  });

  it('hands out nothing while held, then the rest in order', async () => {
    const { inner, tap, seen } = setup((t, s) => {
      if (s.topic === 'fleet/A/telemetry') t.holdInput(); // the ingestor is full after this one
    });
    inner.push(all);
    await tick();
    expect(seen.map((s) => s.topic)).toEqual(['fleet/A/telemetry']);
    expect(inner.isPaused()).toBe(true); // TCP pushes back on the broker meanwhile
    tap.resumeInput();
    await tick();
    expect(seen).toEqual(expectedMessages);
    expect(inner.isPaused()).toBe(false);
  });

  it('reads on after a hold that came with the last message of a chunk', async () => {
    const { inner, tap, seen } = setup((t, s) => {
      if (s.topic === 'fleet/É/telemetry') t.holdInput(); // full just as the chunk ran out
    });
    inner.push(all);
    await tick();
    expect(inner.isPaused()).toBe(true);
    tap.resumeInput();
    expect(inner.isPaused()).toBe(false);
    inner.push(publish('fleet/Z/telemetry', 'after', 1, 11));
    await tick();
    expect(seen.at(-1)).toEqual({ topic: 'fleet/Z/telemetry', payload: 'after', messageId: 11 });
  });

  it('writes the PUBACKs of one tick together, in the order acknowledged, and none after the connection closed', async () => {
    const { tap, written } = setup();
    tap.ack(7);
    tap.ack(65535);
    tap.ack(300);
    expect(written).toEqual([]); // not before the tick ends
    await tick();
    expect(written.map((b) => [...b])).toEqual([[0x40, 2, 0, 7, 0x40, 2, 0xff, 0xff, 0x40, 2, 1, 44]]);
    tap.ack(8); // committed just as the connection dropped
    tap.destroy();
    tap.ack(9);
    await tick();
    expect(written).toHaveLength(1);
  });

  it('closes the connection with an error on a malformed packet instead of guessing', async () => {
    const { inner, tap, seen } = setup();
    const failed = new Promise<Error>((r) => tap.once('error', r));
    inner.push(Buffer.from([0x32, 0xff, 0xff, 0xff, 0xff, 0x01])); // remaining length in five bytes
    expect((await failed).message).toMatch(/malformed MQTT packet/);
    expect(tap.destroyed).toBe(true);
    expect(seen).toEqual([]);
  });

  it('passes what mqtt.js writes straight through to the connection', async () => {
    const { tap, written } = setup();
    const ping = mqttPacket.generate({ cmd: 'pingreq' });
    tap.write(ping);
    await tick();
    expect(Buffer.concat(written).equals(ping)).toBe(true);
  });
});
