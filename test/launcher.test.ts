// The desktop app's start: an address as a person types it, a real hub on 127.0.0.2 (its own certificate),
// trust on first connection only with the fingerprint compared, a changed certificate refused, something
// that is not FleetDesk named as such, and the choice remembered for the next start.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Launcher, parseHubAddress } from '../src/main/app/launcher';
import { ensureCertificate } from '../src/main/adapters/tls-cert';
import { KnownHubs } from '../src/main/core/security/known-hubs';
import { freePort, startServe, tempDir } from './helpers';

const kills: (() => void)[] = [];
afterAll(() => kills.forEach((k) => k()));

describe('the address of a hub', () => {
  it('is read as a person types it, and refused with what to type instead', () => {
    expect(parseHubAddress('hub.depot')).toBe('https://hub.depot:4780/');
    expect(parseHubAddress('  10.0.0.5:8443 ')).toBe('https://10.0.0.5:8443/');
    expect(parseHubAddress('https://Hub.Depot:4780/some/page?x=1')).toBe('https://hub.depot:4780/');
    expect(parseHubAddress('[fd00::5]:4780')).toBe('https://[fd00::5]:4780/');
    expect(() => parseHubAddress('')).toThrow('Type the hub’s address');
    expect(() => parseHubAddress('http://hub.depot:4780')).toThrow('HTTPS only');
    expect(() => parseHubAddress('ftp://hub.depot')).toThrow('not ftp');
    expect(() => parseHubAddress('hub depot')).toThrow('has spaces');
    expect(() => parseHubAddress('ana:secret@hub.depot')).toThrow('Leave the name and password out');
    expect(() => parseHubAddress('hub.depot:99999')).toThrow('is not an address');
  });
});

describe('starting the desktop app', () => {
  it('connects to a hub only with the certificate compared on first connection, then remembers both', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'hub.sqlite');
    const hub = await startServe(['--host', '127.0.0.2', '--port', '0', '--embedded-broker-port', '0', '--osmand-port', 'off', '--db', db], 'pipe');
    kills.push(() => hub.proc.kill('SIGTERM'));
    const fingerprint = new X509Certificate(readFileSync(`${db}.https/cert.pem`)).fingerprint256;
    const address = hub.url.replace('https://', ''); // as typed: no scheme
    const files = { prefsFile: path.join(dir, 'desk', 'start.json'), knownHubs: new KnownHubs(path.join(dir, 'desk', 'known-hubs.json')) };
    const launcher = new Launcher(files);
    expect(launcher.state()).toEqual({ last: null, remember: false, recentHubs: [] });
    expect(launcher.remembered()).toBeNull();

    const first = await launcher.check(address);
    expect(first).toMatchObject({ url: `${hub.url}/`, status: 'new', fingerprint });
    expect(first.message).toContain(fingerprint);
    // not without the comparison, and not with another fingerprint
    expect(await launcher.open({ mode: 'hub', url: address }, true)).toEqual({ ok: false, message: 'Compare the fingerprint and trust the hub first.' });
    expect(await launcher.open({ mode: 'hub', url: address, trust: 'AA:BB' }, true)).toMatchObject({ ok: false });
    expect(launcher.target).toBeNull();
    expect(await launcher.open({ mode: 'hub', url: address, trust: fingerprint }, true)).toEqual({ ok: true });
    expect(launcher.target).toEqual({ mode: 'hub', url: `${hub.url}/`, fingerprint });

    // the next start: the same choice without the screen; the hub is known
    const next = new Launcher({ ...files, knownHubs: new KnownHubs(files.knownHubs.file) });
    expect(next.remembered()).toEqual({ mode: 'hub', url: `${hub.url}/` });
    expect(next.state().recentHubs.map((h) => h.url)).toEqual([`${hub.url}/`]);
    expect(statSync(files.prefsFile).mode & 0o777).toBe(0o600);
    expect(await next.check(`${hub.url}/`)).toMatchObject({ status: 'known', fingerprint });
    expect(await next.open({ mode: 'hub', url: `${hub.url}/` }, false)).toEqual({ ok: true });
    // "ask me next time": the screen comes back, the hub stays known
    expect(next.remembered()).toBeNull();

    // another certificate at the same address: refused, never opened, whatever the screen sends
    hub.proc.kill('SIGTERM');
    await new Promise((r) => hub.proc.once('exit', r));
    const impostor = await startServe(['--host', '127.0.0.2', '--port', new URL(hub.url).port, '--embedded-broker-port', '0', '--osmand-port', 'off', '--db', path.join(dir, 'other.sqlite')], 'pipe');
    kills.push(() => impostor.proc.kill('SIGTERM'));
    const changed = await next.check(address);
    expect(changed).toMatchObject({ status: 'changed', message: expect.stringContaining('has CHANGED') });
    expect(changed.fingerprint).not.toBe(fingerprint);
    expect(await next.open({ mode: 'hub', url: address, trust: changed.fingerprint! }, true)).toMatchObject({ ok: false, message: expect.stringContaining(`Expected ${fingerprint}`) });

    // this computer: always possible, remembered like a hub
    expect(await next.open({ mode: 'local' }, true)).toEqual({ ok: true });
    expect(new Launcher({ ...files, knownHubs: new KnownHubs(files.knownHubs.file) }).remembered()).toEqual({ mode: 'local' });
  });

  it('names what is wrong: nothing listening, an HTTPS server that is not FleetDesk, a damaged preferences file', async () => {
    const dir = tempDir();
    const launcher = new Launcher({ prefsFile: path.join(dir, 'start.json'), knownHubs: new KnownHubs(path.join(dir, 'known.json')), timeoutMs: 3000 });
    const closed = await freePort();
    expect(await launcher.check(`127.0.0.2:${closed}`)).toMatchObject({ status: 'unreachable', message: expect.stringContaining('Check the address and that the hub is running.') });
    expect(await launcher.check('http://127.0.0.2')).toMatchObject({ status: 'invalid', url: null });

    const cert = ensureCertificate(path.join(dir, 'other-https'), ['127.0.0.2']);
    const other = https.createServer({ cert: cert.cert, key: cert.key }, (_req, res) => res.end('<html><title>Printer</title></html>'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.2', r));
    kills.push(() => other.close());
    const port = (other.address() as { port: number }).port;
    expect(await launcher.check(`127.0.0.2:${port}`)).toMatchObject({ status: 'not-fleetdesk', message: expect.stringContaining('not a FleetDesk hub') });
    expect(await launcher.open({ mode: 'hub', url: `127.0.0.2:${port}` }, true)).toMatchObject({ ok: false, message: expect.stringContaining('not a FleetDesk hub') });

    writeFileSync(path.join(dir, 'start.json'), '{ not json');
    expect(new Launcher({ prefsFile: path.join(dir, 'start.json'), knownHubs: new KnownHubs(path.join(dir, 'known.json')) }).state()).toEqual({ last: null, remember: false, recentHubs: [] });
  });
});
