// The flood publisher the ingest benchmarks share: QoS 1 telemetry of bench vehicles on a raw MQTT socket,
// packets built up front, a window of unacknowledged messages, PUBACKs only counted. Run it in its own
// process, so what is measured is FleetDesk, not the publisher.
import net from 'node:net';
import mqttPacket from 'mqtt-packet';

export const VEHICLES = 10_000;
export const WINDOW = 2_000; // QoS 1 publishes in flight from the publisher

/** The n-th report of bench vehicle v with fix time tsMs: a slow walk, so the drift filter trusts every fix. */
export function benchReport(v: number, n: number, tsMs: number): string {
  return JSON.stringify({ vehicle_id: `B${v}`, timestamp: tsMs, lat: 52.4 + (v % 100) * 0.002 + n * 0.00001, lon: -1.95 + Math.floor(v / 100) * 0.002, speed_kmh: 30, heading: 0, fuel_level: 50, engine_rpm: 1800, odometer_km: 1000 + n, dtc_codes: [], hdop: 0.9, satellites: 9 });
}

/**
 * Flood publisher on a raw socket: mqtt.js's client tops out near 32k QoS 1 msg/s on this machine,
 * which would measure the publisher, not FleetDesk. Packets are generated up front; writes are pipelined
 * with a window of unacknowledged messages; PUBACKs are only counted.
 */
export async function rawFlood(url: string, count: number): Promise<void> {
  const u = new URL(url);
  const socket = net.connect(Number(u.port), u.hostname);
  await new Promise((r) => socket.once('connect', r));
  socket.setNoDelay(true);
  const base = Date.now() - 3_600_000;
  const packets: Buffer[] = new Array(count);
  const seq = new Int32Array(VEHICLES);
  for (let i = 0; i < count; i++) {
    const v = i % VEHICLES;
    const n = seq[v]!++;
    packets[i] = mqttPacket.generate({ cmd: 'publish', topic: `fleet/B${v}/telemetry`, payload: benchReport(v, n, base + n * 1000), qos: 1, messageId: (i % 65535) + 1, retain: false, dup: false });
  }
  let acked = 0;
  let sent = 0;
  let cpuFrom: NodeJS.CpuUsage | null = null;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      const upTo = Math.min(count, acked + WINDOW);
      if (sent >= upTo) return;
      socket.write(Buffer.concat(packets.slice(sent, upTo)));
      sent = upTo;
    };
    // The broker sends this client only CONNACK and PUBACKs: counted straight from the bytes (a parser
    // building an object per PUBACK cost this process ~4 µs a message, CPU the system under test then lacks).
    let rest: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const d = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      let i = 0;
      const before = acked;
      while (i + 2 <= d.length) {
        const len = d[i + 1]!; // CONNACK and PUBACK: remaining length 2, one length byte
        if (len > 127) return reject(new Error(`unexpected packet 0x${d[i]!.toString(16)} from the broker`));
        if (i + 2 + len > d.length) break;
        const type = d[i]! >> 4;
        if (type === 2) {
          if (d[i + 3]) return reject(new Error(`connack ${d[i + 3]}`));
          cpuFrom = process.cpuUsage();
          pump();
        } else if (type === 4) acked++;
        else return reject(new Error(`unexpected packet type ${type} from the broker`));
        i += 2 + len;
      }
      rest = d.subarray(i);
      if (acked === count) resolve();
      else if (Math.floor(acked / 200) > Math.floor(before / 200)) pump(); // refill in steps of 200, as before
    });
    socket.on('error', reject);
    socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: `bench-raw-${process.pid}`, keepalive: 0 }));
  });
  const cpu = process.cpuUsage(cpuFrom ?? undefined);
  process.send?.({ cpuUs: cpu.user + cpu.system });
  socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
}
