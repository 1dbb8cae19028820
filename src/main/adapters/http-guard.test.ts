import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers';
import { createGuardedServer, type GuardedServer } from './http-guard';

const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

async function serve(options: Partial<Parameters<typeof createGuardedServer>[0]> = {}): Promise<{ g: GuardedServer; port: number; logs: string[] }> {
  const logs: string[] = [];
  const g = createGuardedServer({ name: 'test', log: (l) => logs.push(l), ...options }, (req, res, url) => {
    if (url.pathname === '/throw') throw new Error('boom');
    if (url.pathname === '/reject') return Promise.reject(new Error('async boom'));
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => g.server.listen(0, '127.0.0.1', r));
  open.push({ close: () => (g.server.closeAllConnections(), g.server.close()) });
  return { g, port: (g.server.address() as net.AddressInfo).port, logs };
}

/** A socket from `from` (127.0.0.x) that connects and sends `bytes`; resolves once connected. */
async function socket(port: number, from: string, bytes = ''): Promise<net.Socket> {
  const s = net.connect({ port, host: '127.0.0.1', localAddress: from });
  s.on('error', () => undefined);
  await new Promise((r) => s.once('connect', r));
  if (bytes) s.write(bytes);
  open.push({ close: () => s.destroy() });
  return s;
}

const get = (port: number, path = '/') => fetch(`http://127.0.0.1:${port}${path}`).then(async (r) => [r.status, await r.text()]);

describe('guarded HTTP server', () => {
  it('answers a handler that throws, synchronously or not, with a 500 and a log line, and goes on', async () => {
    const { port, logs, g } = await serve();
    expect(await get(port, '/throw')).toEqual([500, 'FleetDesk could not answer this request; the error is in its log.']);
    expect(await get(port, '/reject')).toEqual([500, expect.any(String)]);
    expect(await get(port)).toEqual([200, 'ok']);
    expect(logs).toEqual(['test: GET /throw failed: boom', 'test: GET /reject failed: async boom']);
    expect(g.refusals.byReason['handler error']).toBe(2);
  });

  it('answers headers that are too large with 431 and a malformed request with 400, and counts both', async () => {
    const { port, g } = await serve();
    const answer = async (bytes: string) => {
      const s = await socket(port, '127.0.0.4', bytes);
      let got = '';
      s.on('data', (d) => (got += d));
      await waitFor(() => s.readableEnded || s.destroyed || null, 'the answer');
      return got.split('\r\n')[0];
    };
    expect(await answer(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(await answer('GET http://[x/ HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await answer('NONSENSE\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(g.refusals.byReason).toMatchObject({ 'headers too large': 1, 'malformed request target': 1, 'malformed request': 1 });
    expect(g.refusals.last.map((r) => r.address)).toEqual(['127.0.0.4', '127.0.0.4', '127.0.0.4']);
  });

  it('closes the sockets one address opens past its cap, and still serves everyone else', async () => {
    const { port, g } = await serve({ maxConnectionsPerAddress: 20 });
    const idle: net.Socket[] = [];
    for (let i = 0; i < 30; i++) idle.push(await socket(port, '127.0.0.2', 'GET / HTTP/1.1\r\nHost: x\r\n')); // headers never finished
    await waitFor(() => idle.filter((s) => s.destroyed || s.readableEnded).length === 10 || null, 'ten sockets over the cap closed');
    expect(g.refusals.byReason['too many connections from one address']).toBe(10);
    expect(await get(port)).toEqual([200, 'ok']); // 127.0.0.1 is not held back by 127.0.0.2
  });

  it('times out a request whose headers never end (half-open), freeing its socket', async () => {
    const { port, g } = await serve({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const s = await socket(port, '127.0.0.3', 'GET / HTTP/1.1\r\nHost: x\r\n');
    let answer = '';
    s.on('data', (d) => (answer += d));
    await waitFor(() => s.readableEnded || s.destroyed || null, 'the server to drop the half-open request', 10_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(g.refusals.byReason['request timeout']).toBe(1);
  });
});
