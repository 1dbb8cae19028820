// A hub's HTTPS certificate: the admin's own (--https-cert/--https-key), or one FleetDesk makes on first
// start with openssl and keeps beside the database (the key readable by its owner only). Its SHA-256
// fingerprint is printed at start, so a person can compare it with what the first browser or desktop
// connecting to the hub shows.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface HubCertificate {
  cert: Buffer;
  key: Buffer;
  /** SHA-256 of the certificate, as browsers show it (AB:CD:…). */
  fingerprint: string;
  /** Made just now (first start). */
  generated: boolean;
}

/** The certificate in `dir`, made first if there is none, valid for `names` (host names and IP addresses). */
export function ensureCertificate(dir: string, names: string[]): HubCertificate {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  let generated = false;
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const san = [...new Set(names)].map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '825', '-subj', '/CN=FleetDesk hub', '-addext', `subjectAltName=${san}`],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (err) {
      const why = (err as { code?: string }).code === 'ENOENT' ? 'openssl is not installed' : String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim();
      throw new Error(`Could not make the hub's HTTPS certificate (${why}): give one with --https-cert and --https-key.`);
    }
    chmodSync(keyFile, 0o600);
    generated = true;
  }
  return load(certFile, keyFile, generated);
}

/** The admin's own certificate and key. */
export function loadCertificate(certFile: string, keyFile: string): HubCertificate {
  return load(certFile, keyFile, false);
}

function load(certFile: string, keyFile: string, generated: boolean): HubCertificate {
  const cert = readFileSync(certFile);
  const key = readFileSync(keyFile);
  return { cert, key, fingerprint: new X509Certificate(cert).fingerprint256, generated };
}
