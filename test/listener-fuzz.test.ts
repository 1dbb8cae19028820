// Every listener of a running `fleetdesk serve` takes malformed request lines, paths, headers and bodies
// (hand-picked attacks and seeded random mutations of good requests); after each one the process is alive
// and a good client is still answered. A crash of the child process fails the test at the next check.
import net from 'node:net';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startServe, tempDir } from './helpers';

let stop: (() => void) | null = null;
afterEach(() => stop?.());

/** Sends raw bytes and resolves with what came back before the server closed (or 2 s passed). */
function raw(port: number, bytes: Buffer | string, waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, waitMs);
    s.on('data', (d) => {
      got += d.toString('latin1');
      // one answer is all we wait for: the status line and headers are enough
      if (/\r\n\r\n/.test(got)) setTimeout(done, 20);
    });
    s.on('error', done);
    s.on('close', done);
    s.on('connect', () => s.write(bytes));
  });
}

const status = (answer: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);

/** A small deterministic PRNG (mulberry32), so a failing mutation can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random byte-level mutations of a good request: flips, inserts of nasty bytes, cuts, repeats. */
function mutations(good: string, count: number, seed: number): Buffer[] {
  const rnd = prng(seed);
  const nasty = ['%', '%zz', '%ff', '\0', '\r', '\n', ' ', '[', ']', ':', '#', '?', '\u00ff', '\ud800', '..', '//', '\\', '"', '\t', 'http://[x/'];
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    let s = good;
    const edits = 1 + Math.floor(rnd() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rnd() * s.length);
      const kind = rnd();
      if (kind < 0.5) s = s.slice(0, at) + nasty[Math.floor(rnd() * nasty.length)] + s.slice(at);
      else if (kind < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 5));
      else if (kind < 0.85) s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + s.slice(at + 1);
      else s = s.slice(0, at) + s.slice(at, at + 8).repeat(2 + Math.floor(rnd() * 4)) + s.slice(at);
    }
    out.push(Buffer.from(s, 'latin1'));
  }
  return out;
}

/**
 * Hand-picked malformed requests every HTTP listener must answer with a 4xx (or close), never die of.
 * Those marked `lenient` are well-formed enough that a 2xx/3xx is a fair answer too (a query the UI ignores).
 */
const LENIENT = new Set(['GET //evil.example/x', 'GET /?%zz=%zz&id=%ff', 'GET /tiles/x/99/99999999/1']);
function attacks(hostHeader: string): (string | Buffer)[] {
  const h = `Host: ${hostHeader}\r\n`;
  return [
    `GET /%zz HTTP/1.1\r\n${h}\r\n`,
    `GET /exports/${'a'.repeat(32)}/%zz HTTP/1.1\r\n${h}\r\n`,
    `GET http://[x/ HTTP/1.1\r\n${h}\r\n`,
    `GET * HTTP/1.1\r\n${h}\r\n`,
    `OPTIONS * HTTP/1.1\r\n${h}\r\n`,
    `GET //evil.example/x HTTP/1.1\r\n${h}\r\n`,
    `GET /%00 HTTP/1.1\r\n${h}\r\n`,
    `GET /..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\n${h}\r\n`,
    `GET /?%zz=%zz&id=%ff HTTP/1.1\r\n${h}\r\n`,
    `GET /tiles/x/99/99999999/1 HTTP/1.1\r\n${h}\r\n`,
    `GET http://a:99999/ HTTP/1.1\r\n${h}\r\n`,
    `GET / HTTP/9.9\r\n${h}\r\n`,
    `GARBAGE\r\n\r\n`,
    `GET / HTTP/1.1\r\nHost: [::1\r\n\r\n`,
    `GET / HTTP/1.1\r\n${h}no colon here\r\n\r\n`,
    `GET / HTTP/1.1\r\n${h}X-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
    `GET / HTTP/1.1\r\n${h}X-Bad: a\u0001b\r\n\r\n`,
    `POST / HTTP/1.1\r\n${h}Content-Length: -1\r\n\r\n`,
    `POST / HTTP/1.1\r\n${h}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello`,
    `POST / HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
    `POST /?id=FUZZ-1 HTTP/1.1\r\n${h}Content-Type: application/json\r\nContent-Length: 9\r\n\r\n{"a":[[[`,
    `POST /?id=FUZZ-1 HTTP/1.1\r\n${h}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\n%zz=%zz&&`,
    `DELETE / HTTP/1.1\r\n${h}\r\n`,
    `GET /api HTTP/1.1\r\n${h}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 99\r\n\r\n`,
    `GET /api HTTP/1.1\r\n${h}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: !!\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), // a TLS hello
    Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131) % 256)),
  ];
}

describe('listeners under malformed input', () => {
  it('answers every malformed request with a 4xx and keeps serving the UI, OsmAnd and the broker', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const served = await startServe(
      ['--port', '0', '--embedded-broker-port', '0', '--osmand-port', '0', '--allow-anonymous', '--db', path.join(dir, 'fuzz.sqlite')],
      'pipe',
    );
    stop = () => served.proc.kill('SIGKILL');
    const uiPort = Number(new URL(served.url).port);
    const osmandPort = Number(/OsmAnd endpoint listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(served.output())![1]);
    const brokerPort = Number(/broker mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(served.output())![1]);
    const alive = () => {
      if (served.proc.exitCode !== null || served.proc.signalCode !== null) throw new Error(`serve died:\n${served.output().slice(-2000)}`);
    };

    let goodFixes = 0;
    const listeners = [
      {
        name: 'web UI',
        port: uiPort,
        good: `GET / HTTP/1.1\r\nHost: 127.0.0.1:${uiPort}\r\nConnection: close\r\n\r\n`,
        check: async () => expect(status(await raw(uiPort, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${uiPort}\r\nConnection: close\r\n\r\n`))).toBe(200),
      },
      {
        name: 'OsmAnd',
        port: osmandPort,
        good: `GET /?id=FUZZ-1&lat=52.48&lon=-1.89&timestamp=${Math.floor(Date.now() / 1000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
        check: async () => {
          // a device of its own each time: one device may send only a few reports a second
          const n = goodFixes++;
          expect(status(await raw(osmandPort, `GET /?id=GOOD-${n}&lat=52.48&lon=-1.89&timestamp=${Math.floor(Date.now() / 1000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`))).toBe(200);
        },
      },
    ];
    for (const l of listeners) {
      const cases = [...attacks(`127.0.0.1:${l.port}`), ...mutations(l.good, 60, l.port)];
      for (const [i, c] of cases.entries()) {
        const answer = await raw(l.port, c);
        alive();
        const code = status(answer);
        // a 5xx would mean a handler threw on this input; no answer at all is a closed socket, fine for garbage
        if (code >= 500) throw new Error(`${l.name} answered ${code} to case ${i}: ${JSON.stringify(c.toString().slice(0, 200))}`);
        const lenient = [...LENIENT].some((l) => c.toString('latin1').startsWith(l + ' '));
        if (i < attacks('').length && !lenient) expect(code === 0 || (code >= 400 && code < 500), `${l.name} case ${i}: ${answer.slice(0, 80)}`).toBe(true);
        await l.check();
      }
    }

    // The broker: garbage, a truncated CONNECT and a CONNECT that declares 256 MB; each closed, the broker goes on.
    const brokerCases = [
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]), // CONNECT, remaining length 256 MB − 1
      Buffer.from([0x10, 0x02, 0x00]),
      Buffer.from([0xf0, 0x00]),
      ...mutations('\x10\x12\x00\x04MQTT\x04\x02\x00\x3c\x00\x06fuzzer', 40, 7),
    ];
    for (const c of brokerCases) {
      await raw(brokerPort, c, 500);
      alive();
    }
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { clientId: 'fuzz-check', reconnectPeriod: 0 });
    await client.publishAsync('fleet/GOOD-2/telemetry', JSON.stringify({ vehicle_id: 'GOOD-2', timestamp: Date.now(), lat: 52.48, lon: -1.89 }), { qos: 1 });
    await client.endAsync();
    alive();
  });
});
