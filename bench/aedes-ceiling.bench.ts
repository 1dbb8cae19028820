// `npm run bench -- aedes-ceiling`: how fast is aedes alone on this machine? Raw QoS 1 flood in a child process → aedes (this process) →
// an mqtt.js subscriber that acks at once (manual acks off). No FleetDesk ingest.
import { fork } from 'node:child_process';
import net from 'node:net';
import mqtt from 'mqtt';
import { Aedes } from 'aedes';
import { fmt, report } from './report';
const N = 200_000;
if (process.argv[2] === '--pub') {
  const { default: mqttPacket } = await import('mqtt-packet');
  const socket = net.connect(Number(process.argv[3]), '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const packets: Buffer[] = [];
  for (let i = 0; i < N; i++) packets.push(mqttPacket.generate({ cmd: 'publish', topic: `fleet/B${i % 10000}/telemetry`, payload: JSON.stringify({ vehicle_id: `B${i % 10000}`, timestamp: Date.now(), lat: 52.4, lon: -1.9, speed_kmh: 30, heading: 0, fuel_level: 50, engine_rpm: 1800, odometer_km: 1000 + i, dtc_codes: [], hdop: 0.9, satellites: 9 }), qos: 1, messageId: (i % 65535) + 1, retain: false, dup: false }));
  const parser = mqttPacket.parser();
  let acked = 0, sent = 0;
  await new Promise<void>((resolve) => {
    const pump = () => { const upTo = Math.min(N, acked + 2000); if (sent >= upTo) return; socket.write(Buffer.concat(packets.slice(sent, upTo))); sent = upTo; };
    parser.on('packet', (p: { cmd: string }) => { if (p.cmd === 'connack') pump(); else if (p.cmd === 'puback') { acked++; if (acked === N) resolve(); else if (acked % 200 === 0) pump(); } });
    socket.on('data', (d) => parser.parse(d));
    socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'p', keepalive: 0 }));
  });
  socket.end(); process.exit(0);
}
const broker = await Aedes.createBroker();
const server = net.createServer(broker.handle);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as net.AddressInfo).port;
const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 's', clean: true });
let got = 0;
sub.on('message', () => { got++; });
await sub.subscribeAsync('fleet/+/telemetry', { qos: 1 });
const t = performance.now();
const child = fork(process.argv[1]!, ['--pub', String(port)]);
await new Promise((r) => child.once('exit', r));
while (got < N) await new Promise((r) => setTimeout(r, 10));
const rate = Math.round(N / ((performance.now() - t) / 1000));
report('aedes ceiling (npm run bench -- aedes-ceiling)', ['aedes 1.2 in this process, a raw QoS 1 flood (2,000 in flight) from a child process, an mqtt.js subscriber (QoS 1) that does nothing with the messages: no FleetDesk ingest, no SQLite'], [{ broker: 'aedes alone', 'msg/s': fmt(rate), messages: fmt(N) }]);
await sub.endAsync(); server.close(); broker.close(); process.exit(0);
