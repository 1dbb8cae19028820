// A workstation connecting to a hub trusts the hub's certificate the way SSH trusts a host key: on the
// first connection the person compares the fingerprint (the hub prints it at start) and accepts it; later
// connections must present the same one, and a changed certificate is refused with a clear warning.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';

export type TrustDecision =
  | { action: 'trust' }
  | { action: 'ask'; message: string }
  | { action: 'refuse'; message: string };

/** host:port of a hub URL (the key under which its fingerprint is remembered). */
export function hubKey(hubUrl: string): string {
  const u = new URL(hubUrl);
  if (u.protocol !== 'https:') throw new Error(`A hub is reached over HTTPS: ${hubUrl} is not an https:// address.`);
  return `${u.hostname}:${u.port || '443'}`;
}

export class KnownHubs {
  private readonly hubs: Record<string, { fingerprint: string; acceptedMs: number }>;

  constructor(readonly file: string) {
    this.hubs = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as KnownHubs['hubs']) : {};
  }

  /** What to do with `fingerprint` presented by `hubUrl`. */
  decide(hubUrl: string, fingerprint: string): TrustDecision {
    const known = this.hubs[hubKey(hubUrl)];
    if (!known)
      return {
        action: 'ask',
        message: `First connection to ${hubKey(hubUrl)}. Its certificate's SHA-256 fingerprint is\n${fingerprint}\nCompare it with the one the hub printed when it started (ask its admin). Trust this hub?`,
      };
    if (known.fingerprint === fingerprint) return { action: 'trust' };
    return {
      action: 'refuse',
      message:
        `The certificate of ${hubKey(hubUrl)} has CHANGED since ${new Date(known.acceptedMs).toISOString().slice(0, 10)}.\n` +
        `Expected ${known.fingerprint}\nGot      ${fingerprint}\n` +
        'If the admin did not replace it, someone may be between this workstation and the hub. FleetDesk did not connect. ' +
        'If the change is expected, remove the hub from the known hubs and connect again.',
    };
  }

  remember(hubUrl: string, fingerprint: string, nowMs = Date.now()): void {
    this.hubs[hubKey(hubUrl)] = { fingerprint, acceptedMs: nowMs };
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.hubs, null, 1), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  forget(hubUrl: string): void {
    delete this.hubs[hubKey(hubUrl)];
    writeFileSync(this.file, JSON.stringify(this.hubs, null, 1), { mode: 0o600 });
  }
}

/**
 * The SHA-256 fingerprint of the certificate a hub presents. The connection verifies nothing (a hub's
 * certificate is usually its own, self-signed): the fingerprint is what KnownHubs then decides on.
 */
export function probeHubCertificate(hubUrl: string, timeoutMs = 5000): Promise<string> {
  const u = new URL(hubUrl);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: u.hostname, port: Number(u.port || 443), servername: /^[\d.]+$|:/.test(u.hostname) ? undefined : u.hostname, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (!cert) reject(new Error(`${hubKey(hubUrl)} presented no certificate.`));
      else resolve(cert.fingerprint256);
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`No answer from ${hubKey(hubUrl)} within ${timeoutMs / 1000} s.`)));
    socket.on('error', (err) => reject(new Error(`Could not reach the hub at ${hubKey(hubUrl)}: ${err.message}`)));
  });
}
