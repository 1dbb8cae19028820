// HTTP listener for the OsmAnd protocol (Traccar Client, many trackers): answers only after the commit.
import type { Ingestor } from '../core/ingest/ingestor';
import { parseOsmAndJson, parseOsmAndParams } from '../core/telemetry/osmand';
import type { DeviceCheck } from '../core/security/broker-policy';
import { RateLimiter, type RefusalReason } from '../core/security/login-guard';
import { createGuardedServer, guarded, type HttpRefusals } from './http-guard';
import { listen } from './listen';

const MAX_BODY_BYTES = 64 * 1024;

export interface OsmAndServer {
  url: string;
  port: number;
  /** Requests refused before they became a position (405, 413, 431, malformed, …), by reason. */
  refusals: HttpRefusals;
  close(): Promise<void>;
}

export interface OsmAndOptions {
  port?: number; // default 5055
  host?: string; // default 127.0.0.1
  log?: (line: string) => void;
  /** Whether this device may report (its key, anonymous access, lock-outs); absent = anyone may (tests). */
  authorize?: (vehicleId: string, key: string | null, address: string) => Promise<DeviceCheck>;
  /** Counts a refused device in the broker's refusal record (Devices tab). */
  refused?: (vehicleId: string, reason: RefusalReason, address: string) => void;
  /** Reports per second a device may send; more get 429. */
  perDeviceRatePerS?: number; // default 5 (burst 20)
  /** Requests per second from one address (a NAT may hide many phones). */
  perAddressRatePerS?: number; // default 100 (burst 400)
}

/** The device's key: `key` or `password` in the query, form or JSON body, or HTTP Basic's password. */
function deviceKey(params: URLSearchParams | null, json: unknown, authorization: string | undefined): string | null {
  const fromParams = params?.get('key') ?? params?.get('password');
  if (fromParams) return fromParams;
  const fromJson = (json as { key?: unknown } | null)?.key;
  if (typeof fromJson === 'string' && fromJson) return fromJson;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0 && colon < decoded.length - 1) return decoded.slice(colon + 1);
  }
  return null;
}

/** The request as a dead letter keeps it, with any key or password blanked out. */
function redactedRaw(method: string | undefined, url: string | undefined, body: Buffer): Buffer {
  const blank = (s: string) => s.replace(/((?:^|[?&])(?:key|password)=)[^&\s]*/gi, '$1***').replace(/("key"\s*:\s*")[^"]*/g, '$1***');
  return Buffer.from(`${method} ${blank(url ?? '')}\n${blank(body.toString('utf8'))}`);
}

export async function startOsmAndServer(ingestor: Ingestor, options: OsmAndOptions = {}): Promise<OsmAndServer> {
  const port = options.port ?? 5055;
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const perDevice = new RateLimiter(options.perDeviceRatePerS ?? 5, (options.perDeviceRatePerS ?? 5) * 4);
  const perAddress = new RateLimiter(options.perAddressRatePerS ?? 100, (options.perAddressRatePerS ?? 100) * 4);
  const guard = createGuardedServer({ name: 'OsmAnd', log }, (req, res, url) => {
    const reply = (status: number, text: string, headers: Record<string, string> = {}) => {
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(text);
    };
    const failed = (err: unknown) => {
      log(`OsmAnd: request failed: ${err instanceof Error ? err.message : String(err)}`);
      reply(500, 'FleetDesk could not take this report');
    };
    if (req.method !== 'GET' && req.method !== 'POST') {
      guard.refuse(req, 'method not allowed (405)');
      return reply(405, 'use GET or POST');
    }
    // Trackers send neither header; a browser sends Origin with a POST and Sec-Fetch-Site with every
    // request: a web page must not be able to report positions from the dispatcher's own browser.
    const site = req.headers['sec-fetch-site'];
    if (req.headers.origin !== undefined || (site !== undefined && site !== 'none')) {
      guard.refuse(req, 'request from a web page (403)');
      return reply(403, 'FleetDesk does not take positions from web pages');
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    if (!perAddress.take(address, Date.now())) {
      guard.refuse(req, 'too many requests from one address (429)');
      return reply(429, 'too many requests; slow down', { 'retry-after': '1' });
    }
    if (ingestor.full) return reply(503, 'FleetDesk is busy saving data; retry shortly', { 'retry-after': '2' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        if (!res.headersSent) guard.refuse(req, 'body too large (413)');
        reply(413, `body larger than ${MAX_BODY_BYTES} bytes`);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on(
      'end',
      guarded(() => {
        if (res.headersSent) return;
        const receivedMs = Date.now();
        const body = Buffer.concat(chunks);
        const type = String(req.headers['content-type'] ?? '');
        let result;
        let parsed: unknown = null;
        let params: URLSearchParams | null = null;
        if (type.includes('application/json')) {
          try {
            parsed = JSON.parse(body.toString('utf8'));
          } catch (err) {
            result = { ok: false as const, reason: `malformed JSON: ${(err as Error).message.slice(0, 120)}`, status: 400 };
          }
          result ??= parseOsmAndJson(parsed, receivedMs);
        } else {
          params = new URLSearchParams(url.search);
          if (body.length) for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
          result = parseOsmAndParams(params, receivedMs);
        }
        // The raw request, as a dead letter would need it: the URL and any body (never the key).
        const raw = redactedRaw(req.method, req.url, body);
        const store = (r: typeof result) =>
          ingestor.accept('osmand', null, raw, r, () => {
            if (r.ok) reply(200, 'OK');
            else reply(r.status ?? 400, r.reason);
          });
        if (!result.ok || !options.authorize) return store(result);
        const vehicleId = result.point.vehicleId;
        if (!perDevice.take(vehicleId, receivedMs)) {
          guard.refuse(req, 'too many reports from one device (429)');
          return reply(429, `too many reports for ${vehicleId}; at most ${options.perDeviceRatePerS ?? 5} a second`, { 'retry-after': '1' });
        }
        const ok = result;
        options.authorize(vehicleId, deviceKey(params, parsed, req.headers.authorization), address).then(
          (check) => {
            if (check.ok) return store(ok);
            options.refused?.(vehicleId, check.refusal, address);
            store({ ok: false, reason: `refused: ${check.reason}`, status: check.status });
          },
          failed,
        );
      }, failed),
    );
  });
  const server = guard.server;
  const actual = await listen(server, port, host, () => new Error(`OsmAnd port ${port} on ${host} is already in use; choose another with --osmand-port.`));
  return {
    port: actual,
    url: `http://${host}:${actual}`,
    refusals: guard.refusals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
