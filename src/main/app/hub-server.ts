// The UI and API of a FleetService served over HTTP(S)/WebSocket: `fleetdesk serve`, and the desktop app
// when it shares itself on the network. Off loopback it speaks HTTPS/WSS only, with the admin's certificate
// or one made beside the database on first start.
import os from 'node:os';
import { startWsServer, servedHosts, type WsServer } from '../adapters/ws-server';
import { ensureCertificate, type HubCertificate } from '../adapters/tls-cert';
import type { FleetService } from './service';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '127.0.0.1';
}

export interface HubServer {
  server: WsServer;
  /** null on loopback (plain HTTP for this computer only). */
  cert: HubCertificate | null;
  /** The addresses to type elsewhere: one per network interface for a wildcard host. */
  urls: string[];
}

export async function startHubServer(
  service: FleetService,
  o: { rendererDir: string; dbFile: string; host: string; port: number; cert?: HubCertificate | null; requireSignIn: boolean; log?: (line: string) => void },
): Promise<HubServer> {
  const cert = o.cert ?? (isLoopback(o.host) ? null : ensureCertificate(`${o.dbFile}.https`, [...servedHosts(o.host, [])].map((h) => h.replace(/^\[|\]$/g, ''))));
  const server = await startWsServer({
    rendererDir: o.rendererDir,
    handlers: service.handlers,
    events: service,
    port: o.port,
    host: o.host,
    log: o.log,
    downloads: (jobId, fileName) => service.exports.takeDownload(jobId, fileName),
    tiles: (id, z, x, y) => service.tile(id, z, x, y),
    callerFor: (address, close) => service.accounts.connectionCaller(address, close, o.requireSignIn),
    tls: cert ?? undefined,
  });
  return { server, cert, urls: addressesOf(server, o.host) };
}

function addressesOf(server: WsServer, host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [server.url];
  const scheme = new URL(server.url).protocol;
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces()))
    for (const a of list ?? []) if (!a.internal && (a.family === 'IPv4' || host === '::')) out.push(`${scheme}//${a.family === 'IPv6' ? `[${a.address.split('%')[0]}]` : a.address}:${server.port}`);
  return out.length ? out : [`${scheme}//${os.hostname()}:${server.port}`];
}
