// Every HTTP listener of FleetDesk is built here, so no request can take the process down: a
// malformed request target, header or body is answered with a 4xx, a handler's exception with a 500
// (and a log line), slow or half-open clients time out, and one address cannot hold every socket.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';

export interface HttpGuardOptions {
  /** Names the listener in log lines ("web UI", "OsmAnd"). */
  name: string;
  log: (line: string) => void;
  /** Sockets one remote address may hold open at once; more are closed at once. */
  maxConnectionsPerAddress?: number; // default 128
  /** Sockets in all; beyond this the server refuses new ones (file handles are finite). */
  maxConnections?: number; // default 4,096
  /** Time for a client to send every header of a request. */
  headersTimeoutMs?: number; // default 10 s
  /** Time for a client to send a whole request, body included. */
  requestTimeoutMs?: number; // default 30 s
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs?: number; // default 5 s
  /** HTTPS only (TLS 1.2 or later) with this certificate and key; plain HTTP then fails its handshake. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export type GuardedHandler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void | Promise<void>;

/** What the listener refused or failed on, by reason; the Ingest/Devices screens and tests read it. */
export interface HttpRefusals {
  byReason: Record<string, number>;
  last: { atMs: number; address: string; reason: string }[];
}

export interface GuardedServer {
  server: http.Server;
  refusals: HttpRefusals;
  /** Records a refusal the handler decided (405, 413, …) beside the guard's own. */
  refuse(req: http.IncomingMessage, reason: string): void;
}

const LAST_KEPT = 50;

/** Parses a request target without throwing: null when it is not a usable URL. */
export function requestUrl(req: http.IncomingMessage): URL | null {
  const target = req.url ?? '/';
  // An origin-form path is what a server gets; absolute-form is allowed by HTTP/1.1 but must parse.
  if (!target.startsWith('/') && !/^https?:\/\//i.test(target)) return null;
  try {
    return new URL(target, 'http://fleetdesk.invalid');
  } catch {
    return null;
  }
}

/** decodeURIComponent that answers null for a malformed escape (`%zz`, a lone surrogate) instead of throwing. */
export function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** Wraps a callback so an exception inside it is handed to `onError` instead of reaching the event loop. */
export function guarded<A extends unknown[]>(fn: (...args: A) => void, onError: (err: unknown) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (err) {
      onError(err);
    }
  };
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', connection: 'close' }).end(text);
}

/** Builds an HTTP server around `handler` with the guards above. */
export function createGuardedServer(options: HttpGuardOptions, handler: GuardedHandler): GuardedServer {
  const perAddressCap = options.maxConnectionsPerAddress ?? 128;
  const refusals: HttpRefusals = { byReason: {}, last: [] };
  const note = (address: string, reason: string) => {
    refusals.byReason[reason] = (refusals.byReason[reason] ?? 0) + 1;
    refusals.last.push({ atMs: Date.now(), address, reason });
    if (refusals.last.length > LAST_KEPT) refusals.last.shift();
  };
  const addressOf = (socket: net.Socket | undefined) => socket?.remoteAddress ?? 'unknown';

  const fail = (req: http.IncomingMessage, res: http.ServerResponse, err: unknown) => {
    // The path only (never a query string: it may carry a device's key), trimmed.
    const where = (req.url ?? '').split('?')[0]!.slice(0, 120);
    options.log(`${options.name}: ${req.method} ${where} failed: ${err instanceof Error ? err.message : String(err)}`);
    note(addressOf(req.socket), 'handler error');
    try {
      plain(res, 500, 'FleetDesk could not answer this request; the error is in its log.');
    } catch {
      res.destroy();
    }
  };

  const create = (opts: http.ServerOptions, listener: http.RequestListener): http.Server =>
    options.tls ? (https.createServer({ ...opts, ...options.tls, minVersion: 'TLSv1.2' }, listener) as unknown as http.Server) : http.createServer(opts, listener);
  const server = create(
    {
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
      // Node's own limit (16 KiB) answers 431 to larger headers; stated so nobody raises it by accident.
      maxHeaderSize: 16 * 1024,
      // how often the timeouts above are enforced (Node's default, 30 s, lets half-open requests pile up)
      connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs ?? 1000),
    },
    (req, res) => {
      const url = requestUrl(req);
      if (!url) {
        note(addressOf(req.socket), 'malformed request target');
        plain(res, 400, 'malformed request target');
        return;
      }
      try {
        const done = handler(req, res, url);
        if (done && typeof (done as Promise<void>).then === 'function') (done as Promise<void>).catch((err) => fail(req, res, err));
      } catch (err) {
        fail(req, res, err);
      }
    },
  );
  server.maxConnections = options.maxConnections ?? 4096;
  server.on('drop', (data?: { remoteAddress?: string }) => note(data?.remoteAddress ?? 'unknown', 'too many connections'));

  const open = new Map<string, number>();
  server.on('connection', (socket: net.Socket) => {
    const address = addressOf(socket);
    const n = (open.get(address) ?? 0) + 1;
    if (n > perAddressCap) {
      note(address, 'too many connections from one address');
      socket.destroy();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });

  // A request Node cannot parse (bad request line, header too large, timeout): answer it and close.
  if (options.tls) server.on('tlsClientError', (_err: Error, socket: net.Socket) => note(addressOf(socket), 'TLS handshake failed (plain HTTP?)'));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    const code = err.code ?? '';
    const [status, reason] =
      code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers too large']
        : code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'HPE_HEADERS_TIMEOUT'
          ? [408, 'request timeout']
          : [400, 'malformed request'];
    if (code !== 'ECONNRESET') note(addressOf(socket), reason);
    if (code !== 'ECONNRESET' && socket.writable) {
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: ${reason.length}\r\n\r\n${reason}`);
    } else socket.destroy();
  });

  return {
    server,
    refusals,
    refuse: (req, reason) => note(addressOf(req.socket), reason),
  };
}
