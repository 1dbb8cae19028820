// `serve` mode transport: serves the renderer over HTTP and carries the API contract over a WebSocket.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES, type ApiHandlers, type Caller, type ApiEvents, type EventName, type ServerFrame } from '../../shared/api';
import { createDispatcher } from '../api/dispatch';
import { localCaller } from '../api/handlers';
import { CONTENT_SECURITY_POLICY } from './csp';
import { createGuardedServer, safeDecode, type HttpRefusals } from './http-guard';
import { listen } from './listen';


const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

const MAX_FRAME_BYTES = 1024 * 1024; // a geofence with many vertices fits; nothing legitimate is bigger

export interface ApiEventSource {
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

export interface WsServer {
  url: string;
  port: number;
  refusals: HttpRefusals;
  close(): Promise<void>;
}

/** The host names a client may use for a server listening on `host`, lower case, without port. */
export function servedHosts(host: string, extra: string[]): Set<string> {
  const names = new Set<string>(['localhost', '127.0.0.1', '[::1]', os.hostname().toLowerCase(), ...extra.map((h) => h.toLowerCase())]);
  const wildcard = host === '0.0.0.0' || host === '::';
  if (!wildcard) names.add(host.includes(':') ? `[${host}]` : host);
  else
    for (const list of Object.values(os.networkInterfaces()))
      for (const a of list ?? []) names.add(a.family === 'IPv6' ? `[${a.address.split('%')[0]}]` : a.address);
  return names;
}

function hostName(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i.exec(hostHeader.trim());
  return m ? m[1]!.toLowerCase() : null;
}

function hostAllowed(hostHeader: string | undefined, hosts: Set<string>): boolean {
  const name = hostName(hostHeader);
  return name !== null && hosts.has(name);
}

/** A WebSocket is ours when its page's origin is this server, under a name this server answers to. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined, hosts: Set<string>): boolean {
  if (!origin || !hostAllowed(hostHeader, hosts)) return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  return (o.protocol === 'http:' || o.protocol === 'https:') && o.host.toLowerCase() === hostHeader!.trim().toLowerCase();
}

/** Serves `rendererDir` and the API on host:port (port 0 = any free port). */
export async function startWsServer(options: {
  rendererDir: string;
  handlers: ApiHandlers;
  events: ApiEventSource;
  port: number;
  host?: string;
  /** Map tiles: `/tiles/<source>/<z>/<x>/<y>` → the tile, or null (404). */
  tiles?: (sourceId: string, z: number, x: number, y: number) => Promise<{ data: Buffer; contentType: string } | null>;
  /** Host names (besides this machine's addresses, `localhost` and its host name) clients use to reach it. */
  allowedHosts?: string[];
  log?: (line: string) => void;
  /**
   * Who each connection calls as: a hub's connections start signed out and sign in over the socket; by
   * default (local mode) every connection is this computer's operator. `close` ends the connection (its
   * session ended: signed out, revoked, expired).
   */
  callerFor?: (address: string, close: () => void) => Caller;
  /** HTTPS and WSS only, with this certificate (a hub off loopback). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Finished exports: `/exports/<job id>/<file name>` → the file, handed out once. */
  downloads?: (jobId: string, fileName: string) => { file: string; fileName: string; done: () => void } | null;
}): Promise<WsServer> {
  const host = options.host ?? '127.0.0.1';
  const root = path.resolve(options.rendererDir);
  if (!existsSync(path.join(root, 'index.html'))) {
    throw new Error(`The UI is not built (${path.join(root, 'index.html')} is missing). Run "npm run build" first.`);
  }
  const log = options.log ?? (() => {});
  const hosts = servedHosts(host, options.allowedHosts ?? []);
  const guard = createGuardedServer({ name: 'web UI', log, tls: options.tls }, (req, res, url) => {
    // DNS rebinding: a page of evil.example resolved to our address sends `Host: evil.example`.
    if (!hostAllowed(req.headers.host, hosts)) {
      guard.refuse(req, 'unknown Host header');
      res.writeHead(421, { 'content-type': 'text/plain' }).end('This FleetDesk does not answer to that host name.');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      guard.refuse(req, 'method not allowed');
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('use GET');
      return;
    }
    const tile = /^\/tiles\/([A-Za-z0-9_-]{1,64})\/(\d{1,2})\/(\d{1,8})\/(\d{1,8})(?:\.\w+)?$/.exec(url.pathname);
    if (tile && options.tiles) {
      return options.tiles(tile[1]!, Number(tile[2]), Number(tile[3]), Number(tile[4])).then((t) => {
        if (!t) res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-cache' }).end('no tile');
        else res.writeHead(200, { 'content-type': t.contentType, 'cache-control': 'max-age=3600', 'x-content-type-options': 'nosniff' }).end(t.data);
      });
    }
    const dl = /^\/exports\/([0-9a-f]{32})\/([^/]+)$/.exec(url.pathname);
    if (dl && options.downloads) {
      const name = safeDecode(dl[2]!);
      const found = name === null ? null : options.downloads(dl[1]!, name);
      if (!found) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('This export is no longer available: export it again.');
        return;
      }
      // Taken now, whatever happens to this response: a second request for the link finds nothing.
      res.once('close', () => found.done());
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${found.fileName.replace(/[^A-Za-z0-9_.-]/g, '_')}"`,
        'content-length': statSync(found.file).size,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      createReadStream(found.file).on('error', () => res.destroy()).pipe(res);
      return;
    }
    let rel = safeDecode(url.pathname);
    if (rel === null || rel.includes('\0')) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('malformed path');
      return;
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.resolve(root, '.' + rel);
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });
  const server = guard.server;

  const wss = new WebSocketServer({
    server,
    path: '/api',
    maxPayload: MAX_FRAME_BYTES,
    // Only our own page may talk to the API: a web page elsewhere in the browser must not, and a page
    // that reached us through DNS rebinding names a host we do not serve. Browsers always send Origin.
    verifyClient: ({ origin, req }: { origin: string; req: http.IncomingMessage }) => {
      const ok = originAllowed(origin, req.headers.host, hosts);
      if (!ok) guard.refuse(req, origin ? 'WebSocket from a foreign origin' : 'WebSocket without Origin');
      return ok;
    },
  });
  /** Open connections and who they call as; events go only to those signed in. */
  const clients = new Map<WebSocket, Caller>();
  const dispatcher = createDispatcher(options.handlers, { log });
  const send = (ws: WebSocket, frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const unsubscribe = EVENT_NAMES.map((event) =>
    options.events.on(event, (payload) => {
      // serialised and encoded once for every screen (a push of 10,000 vehicles is ~0.8 MB)
      const frame = Buffer.from(JSON.stringify({ type: 'event', event, payload } satisfies ServerFrame));
      for (const [ws, caller] of clients) if (caller.user && ws.readyState === ws.OPEN) ws.send(frame, { binary: false });
    }),
  );
  wss.on('connection', (ws, req) => {
    const address = req.socket.remoteAddress ?? '';
    // (closed after the current call's answer is sent: a sign-out is answered, then its socket goes)
    const caller = options.callerFor?.(address, () => setImmediate(() => ws.close(4001, 'session ended'))) ?? localCaller(address);
    clients.set(ws, caller);
    const gone = () => {
      clients.delete(ws);
      caller.detach();
    };
    ws.on('close', gone);
    ws.on('error', gone);
    ws.on('message', async (data) => {
      let frame: { type?: unknown; id?: unknown; method?: unknown; params?: unknown };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return; // not ours; nothing to answer to
      }
      if (frame?.type !== 'call' || typeof frame.id !== 'number') return;
      const outcome = await dispatcher.call(frame.method, frame.params, caller);
      send(ws, { type: 'result', id: frame.id, ...outcome } as ServerFrame);
    });
  });

  // the WebSocket server re-emits its HTTP server's errors (a taken port): the listen below reports them
  wss.on('error', (err) => log(`web server: ${err.message}`));
  let port: number;
  try {
    port = await listen(server, options.port, host, () => new Error(`Port ${options.port} on ${host} is already in use; choose another with --port.`));
  } catch (err) {
    for (const u of unsubscribe) u();
    wss.close();
    throw err;
  }
  return {
    port,
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    refusals: guard.refusals,
    close: async () => {
      for (const u of unsubscribe) u();
      for (const ws of clients.keys()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // off means off: keep-alive connections of browsers (a page's next request) end now, not when idle
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
