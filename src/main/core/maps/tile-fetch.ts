// Fetches one online map tile for the cache, and nothing else: the URL template is the admin's, but
// the service must never become a proxy into the machine or the LAN (server-side request forgery).
// Addresses are checked after DNS and the connection goes to the checked address (no rebinding in
// between); no redirects; only an image of bounded size comes back.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export class TileFetchError extends Error {}

export interface TileFetchOptions {
  /** A tile server on this machine or the LAN (a depot's own) is refused unless this is on. */
  allowPrivateAddresses?: boolean; // default false
  maxBytes?: number; // default 2 MiB
  timeoutMs?: number; // default 10 s
}

export interface FetchedTile {
  ok: boolean;
  status: number;
  data: Buffer;
  contentType: string;
}

/** IPv4 / IPv6 ranges that are not the public internet: loopback, private, link-local, CGNAT, ULA, … */
export function isPrivateAddress(address: string): boolean {
  const v4 = net.isIPv4(address) ? address : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return (
      a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19)) || a >= 224
    );
  }
  const v6 = address.toLowerCase();
  return v6 === '::' || v6 === '::1' || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6) || /^ff/.test(v6) || v6.startsWith('64:ff9b:') || v6.startsWith('2001:db8:');
}

export function fetchTile(url: string, options: TileFetchOptions = {}): Promise<FetchedTile> {
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.reject(new TileFetchError(`not a URL: ${url}`));
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return Promise.reject(new TileFetchError('tile URLs must be http or https'));
  const lookup: net.LookupFunction = (hostname, opts, callback) => {
    dns.lookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => isPrivateAddress(a.address));
      if (bad && !options.allowPrivateAddresses) {
        return callback(new TileFetchError(`${hostname} is a private address (${bad.address}); allow private tile servers in Settings to use one on this network`), '', 0);
      }
      const first = list[0];
      if (!first) return callback(new TileFetchError(`${hostname} has no address`), '', 0);
      if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      else callback(null, first.address, first.family);
    });
  };
  // a literal IP address skips lookup(): check it here
  const literal = u.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(literal) && isPrivateAddress(literal) && !options.allowPrivateAddresses) {
    return Promise.reject(new TileFetchError(`${literal} is a private address; allow private tile servers in Settings to use one on this network`));
  }
  const client = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(
      u,
      {
        lookup,
        timeout: options.timeoutMs ?? 10_000,
        // tile servers (OpenStreetMap's among them) require an identifying user agent
        headers: { 'user-agent': 'FleetDesk/0.1 (fleet dispatcher console; tile cache for offline use)', accept: 'image/*' },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const contentType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (status !== 200) {
          res.resume();
          return resolve({ ok: false, status, data: Buffer.alloc(0), contentType });
        }
        if (!contentType.startsWith('image/')) {
          res.destroy();
          return reject(new TileFetchError(`the tile server answered ${contentType || 'no content type'}, not an image`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            res.destroy();
            reject(new TileFetchError(`a tile larger than ${maxBytes} bytes`));
          } else chunks.push(c);
        });
        res.on('end', () => resolve({ ok: true, status, data: Buffer.concat(chunks), contentType }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new TileFetchError('the tile server did not answer in time')));
    req.on('error', reject);
  });
}
