// HTTP listener for the OsmAnd protocol (Traccar Client, many trackers): answers only after the commit.
import type { Ingestor } from '../core/ingest/ingestor';
import { parseOsmAndJson, parseOsmAndParams } from '../core/telemetry/osmand';
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

export async function startOsmAndServer(
  ingestor: Ingestor,
  port = 5055,
  host = '127.0.0.1',
  log: (line: string) => void = () => {},
): Promise<OsmAndServer> {
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
        if (type.includes('application/json')) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(body.toString('utf8'));
          } catch (err) {
            result = { ok: false as const, reason: `malformed JSON: ${(err as Error).message.slice(0, 120)}`, status: 400 };
          }
          result ??= parseOsmAndJson(parsed, receivedMs);
        } else {
          const params = new URLSearchParams(url.search);
          if (body.length) for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
          result = parseOsmAndParams(params, receivedMs);
        }
        // The raw request, as a dead letter would need it: the URL and any body.
        const raw = Buffer.concat([Buffer.from(`${req.method} ${req.url}\n`), body]);
        ingestor.accept('osmand', null, raw, result, () => {
          if (result.ok) reply(200, 'OK');
          else reply(result.status ?? 400, result.reason);
        });
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
