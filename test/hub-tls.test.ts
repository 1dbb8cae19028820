// A hub off loopback speaks HTTPS/WSS only, with a certificate it makes on first start (its fingerprint
// printed for the admin), and asks every screen to sign in. On 127.0.0.2: an address that is not
// FleetDesk's local one, on no real interface.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { KnownHubs, probeHubCertificate } from '../src/main/core/security/known-hubs';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireTool, startServe, tempDir } from './helpers';

const kills: (() => void)[] = [];
afterAll(() => kills.forEach((k) => k()));

function get(url: string, ca?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https') ? https : http;
    const req = lib.get(url, ca ? { ca } : {}, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}

describe('a hub off loopback', () => {
  it('makes its certificate on first start, serves only HTTPS and WSS with it, prints its fingerprint, and asks for a sign-in', async () => {
    const db = path.join(tempDir(), 'hub.sqlite');
    const served = await startServe(['--host', '127.0.0.2', '--port', '0', '--embedded-broker-port', '0', '--osmand-port', 'off', '--db', db], 'pipe');
    kills.push(() => served.proc.kill('SIGTERM'));
    expect(served.url).toMatch(/^https:\/\/127\.0\.0\.2:\d+$/);
    const certPem = readFileSync(`${db}.https/cert.pem`);
    expect(statSync(`${db}.https/key.pem`).mode & 0o777).toBe(0o600);
    const fingerprint = new X509Certificate(certPem).fingerprint256;
    await expect.poll(() => served.output()).toContain(`SHA-256 ${fingerprint}`);
    expect(new X509Certificate(certPem).checkIP('127.0.0.2')).toBe('127.0.0.2');

    const page = await get(served.url, certPem);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    // without the hub's certificate trusted, a client refuses it; plain HTTP gets no page at all
    await expect(get(served.url)).rejects.toThrow(/self[- ]signed|unable to verify/i);
    await expect(get(served.url.replace('https', 'http'))).rejects.toThrow();

    const ws = new WebSocket(`${served.url.replace('https', 'wss')}/api`, { origin: served.url, ca: certPem });
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    const answer = await new Promise<{ result: unknown }>((resolve) => {
      ws.once('message', (d) => resolve(JSON.parse(String(d))));
      ws.send(JSON.stringify({ type: 'call', id: 1, method: 'getAccess', params: {} }));
    });
    expect(answer.result).toEqual({ signInRequired: true, user: null, firstStart: true });
    ws.close();

    // a browser that accepted the certificate gets the sign-in form over HTTPS and WSS (CSP allows it)
    if (requireTool('chromium')) {
      const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
      try {
        const p = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
        await p.goto(served.url);
        await expect.poll(() => p.getByRole('form', { name: 'Sign in' }).count(), { timeout: 10_000 }).toBe(1);
      } finally {
        await browser.close();
      }
    }

    // a workstation's first connection asks; then it trusts that certificate and no other
    const known = new KnownHubs(path.join(tempDir(), 'known-hubs.json'));
    const seen = await probeHubCertificate(served.url);
    expect(seen).toBe(fingerprint);
    expect(known.decide(served.url, seen)).toMatchObject({ action: 'ask', message: expect.stringContaining(fingerprint) });
    known.remember(served.url, seen);
    expect(new KnownHubs(known.file).decide(served.url, seen)).toEqual({ action: 'trust' });
    expect(statSync(known.file).mode & 0o777).toBe(0o600);

    // a restart keeps the same certificate (screens that trusted it still do)
    served.proc.kill('SIGTERM');
    await new Promise((r) => served.proc.once('exit', r));
    const again = await startServe(['--host', '127.0.0.2', '--port', new URL(served.url).port, '--embedded-broker-port', '0', '--osmand-port', 'off', '--db', db], 'pipe');
    kills.push(() => again.proc.kill('SIGTERM'));
    await expect.poll(() => again.output()).toContain(`SHA-256 ${fingerprint}`);
    expect(again.output()).not.toContain('(made now)');
    expect(new KnownHubs(known.file).decide(again.url, await probeHubCertificate(again.url))).toEqual({ action: 'trust' });

    // another certificate on the same address (a new hub, or someone in between): refused, with both prints
    again.proc.kill('SIGTERM');
    await new Promise((r) => again.proc.once('exit', r));
    const other = path.join(tempDir(), 'other.sqlite');
    const impostor = await startServe(['--host', '127.0.0.2', '--port', String(new URL(again.url).port), '--embedded-broker-port', '0', '--osmand-port', 'off', '--db', other], 'pipe');
    kills.push(() => impostor.proc.kill('SIGTERM'));
    const changed = known.decide(impostor.url, await probeHubCertificate(impostor.url));
    expect(changed).toMatchObject({ action: 'refuse', message: expect.stringContaining('has CHANGED') });
    expect((changed as { message: string }).message).toContain(`Expected ${fingerprint}`);
  });
});
