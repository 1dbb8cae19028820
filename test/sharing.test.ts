// "Share this FleetDesk on the network" (the desktop app as a hub), through the real service: refused until
// an admin exists; then HTTPS/WSS on the address (127.0.0.2 here: never a real interface) where every
// network screen signs in while this computer's own calls need none; remembered across a restart; turning
// it off closes the remote screens. A `serve` is told it is a server already.
import https from 'node:https';
import path from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { localCaller } from '../src/main/api/handlers';
import { createDispatcher } from '../src/main/api/dispatch';
import { freePort, tempDir } from './helpers';
import { onCleanup, startService } from './service-helpers';

const SHARE = { rendererDir: path.resolve('out/renderer'), host: '127.0.0.2' };

function page(url: string): Promise<{ status: number; body: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { rejectUnauthorized: false, agent: false }, (res) => {
      const fingerprint = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate()!.fingerprint256;
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, fingerprint }));
    });
    req.on('error', reject);
  });
}

async function remoteScreen(url: string) {
  const ws = new WebSocket(`${url.replace('https', 'wss')}/api`, { origin: url, rejectUnauthorized: false });
  onCleanup(() => ws.terminate());
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  let closed: number | null = null;
  ws.on('close', (code) => (closed = code));
  let id = 0;
  const call = (method: string, params: unknown = {}) =>
    new Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }>((resolve) => {
      const n = ++id;
      const on = (d: WebSocket.RawData) => {
        const f = JSON.parse(String(d));
        if (f.type !== 'result' || f.id !== n) return;
        ws.off('message', on);
        resolve(f);
      };
      ws.on('message', on);
      ws.send(JSON.stringify({ type: 'call', id: n, method, params }));
    });
  return { call, closed: () => closed };
}

describe('sharing the desktop app on the network', () => {
  it('serves HTTPS with sign-in once an admin exists, keeps this computer signed in, and survives a restart', async () => {
    const dbFile = path.join(tempDir(), 'desk.sqlite');
    const port = await freePort();
    const { service } = await startService({ dbFile, share: SHARE });
    // this computer's own window: the desktop's IPC caller, through the same dispatcher
    const desk = createDispatcher(service.handlers);
    const me = localCaller('local', 'marta');
    const call = (m: string, p: unknown = {}) => desk.call(m, p, me);

    expect(await call('getSharing')).toMatchObject({ ok: true, result: { available: true, enabled: false, urls: [], admins: 0 } });
    // nobody on the network may become the first admin
    expect(await call('setSharing', { enabled: true, port })).toMatchObject({ ok: false, error: { message: expect.stringContaining('Add a user with the admin role first') } });
    expect(await call('addUser', { name: 'marta', role: 'admin', password: 'control room 1' })).toMatchObject({ ok: true });
    const on = await call('setSharing', { enabled: true, port });
    expect(on).toMatchObject({ ok: true, result: { enabled: true, port, urls: [`https://127.0.0.2:${port}`], error: null, admins: 1 } });
    const { fingerprint } = (on as { result: { fingerprint: string } }).result;

    const served = await page(`https://127.0.0.2:${port}/`);
    expect(served.status).toBe(200);
    expect(served.body).toContain('<title>FleetDesk</title>');
    expect(served.fingerprint).toBe(fingerprint);
    // a network screen signs in before anything; this computer's calls still need none
    const remote = await remoteScreen(`https://127.0.0.2:${port}`);
    expect(await remote.call('getAccess')).toMatchObject({ ok: true, result: { signInRequired: true, user: null, firstStart: false } });
    expect(await remote.call('listVehicles')).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await call('listVehicles')).toMatchObject({ ok: true });
    expect(await call('getAccess')).toMatchObject({ ok: true, result: { signInRequired: false, user: { name: 'marta', role: 'admin' } } });
    expect(await remote.call('signIn', { name: 'marta', password: 'control room 1', workstation: 'Desk 2' })).toMatchObject({ ok: true });
    expect(await remote.call('listVehicles')).toMatchObject({ ok: true });
    // an admin-only method on the network needs an admin: a dispatcher's screen is refused
    expect(await call('addUser', { name: 'ben', role: 'dispatcher', password: 'dispatch pass' })).toMatchObject({ ok: true });
    const ben = await remoteScreen(`https://127.0.0.2:${port}`);
    await ben.call('signIn', { name: 'ben', password: 'dispatch pass' });
    expect(await ben.call('setSharing', { enabled: false })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // a restart shares again, with the same certificate (workstations that trusted it still do)
    await service.stop();
    const again = (await startService({ dbFile, share: SHARE })).service;
    expect(await again.handlers.getSharing({})).toMatchObject({ enabled: true, urls: [`https://127.0.0.2:${port}`], fingerprint });
    const back = await remoteScreen(`https://127.0.0.2:${port}`);
    // off: the port closes and the screens on it go
    await again.handlers.setSharing({ enabled: false });
    await expect.poll(() => back.closed()).not.toBeNull();
    await expect(page(`https://127.0.0.2:${port}/`)).rejects.toThrow(/ECONNREFUSED/);
    expect(await again.handlers.getSharing({})).toMatchObject({ enabled: false, urls: [], fingerprint: null });
  });

  it('says why when the port is taken, and tells a `serve` it is a server already', async () => {
    const blocker = https.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.2', r));
    onCleanup(() => void blocker.close());
    const taken = (blocker.address() as { port: number }).port;
    const { service } = await startService({ share: SHARE });
    await service.handlers.addUser({ name: 'root', role: 'admin', password: 'admin pass 1' });
    await expect(service.handlers.setSharing({ enabled: true, port: taken })).rejects.toThrow(`Port ${taken} is taken by another program: choose another port.`);
    expect(await service.handlers.getSharing({})).toMatchObject({ enabled: true, urls: [], error: expect.stringContaining('is taken') });

    const plain = (await startService()).service;
    expect(await plain.handlers.getSharing({})).toMatchObject({ available: false });
    await expect(plain.handlers.setSharing({ enabled: true })).rejects.toThrow('fleetdesk serve');
  });
});
