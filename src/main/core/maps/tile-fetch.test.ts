import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchTile, isPrivateAddress } from './tile-fetch';

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

describe('online tile fetch', () => {
  it('never fetches from this machine or the LAN unless allowed, by address or by a name that resolves there', async () => {
    let hits = 0;
    const port = await serve((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([1, 2, 3]));
    });
    await expect(fetchTile(`http://127.0.0.1:${port}/0/0/0.png`)).rejects.toThrow('127.0.0.1 is a private address');
    await expect(fetchTile(`http://localhost:${port}/0/0/0.png`)).rejects.toThrow(/localhost is a private address \((127\.0\.0\.1|::1)\)/);
    await expect(fetchTile(`http://[::1]:${port}/0/0/0.png`)).rejects.toThrow('private address');
    expect(hits).toBe(0);
    const ok = await fetchTile(`http://127.0.0.1:${port}/0/0/0.png`, { allowPrivateAddresses: true });
    expect(ok).toEqual({ ok: true, status: 200, data: Buffer.from([1, 2, 3]), contentType: 'image/png' });
  });

  it('hands back only images of bounded size, and follows no redirect', async () => {
    const port = await serve((req, res) => {
      if (req.url === '/html') res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>admin</h1>');
      else if (req.url === '/big') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(4096));
      else res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    const opts = { allowPrivateAddresses: true, maxBytes: 1024 };
    await expect(fetchTile(`http://127.0.0.1:${port}/html`, opts)).rejects.toThrow('answered text/html, not an image');
    await expect(fetchTile(`http://127.0.0.1:${port}/big`, opts)).rejects.toThrow('larger than 1024 bytes');
    expect(await fetchTile(`http://127.0.0.1:${port}/redirect`, opts)).toMatchObject({ ok: false, status: 302 });
    await expect(fetchTile('file:///etc/passwd')).rejects.toThrow('http or https');
  });

  it('knows the private ranges', () => {
    for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '224.0.0.1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '151.101.1.1', '2a00:1450::1']) expect(isPrivateAddress(a), a).toBe(false);
  });
});
