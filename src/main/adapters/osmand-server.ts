// HTTP listener for the OsmAnd protocol (Traccar Client, many trackers): answers only after the commit.
import http from 'node:http';
import type { Ingestor } from '../core/ingest/ingestor';
import { parseOsmAndJson, parseOsmAndParams } from '../core/telemetry/osmand';
import { listen } from './listen';

const MAX_BODY_BYTES = 64 * 1024;

export interface OsmAndServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startOsmAndServer(ingestor: Ingestor, port = 5055, host = '127.0.0.1'): Promise<OsmAndServer> {
  const server = http.createServer((req, res) => {
    const reply = (status: number, text: string, headers: Record<string, string> = {}) => {
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(text);
    };
    if (req.method !== 'GET' && req.method !== 'POST') return reply(405, 'use GET or POST');
    if (ingestor.full) return reply(503, 'FleetDesk is busy saving data; retry shortly', { 'retry-after': '2' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reply(413, `body larger than ${MAX_BODY_BYTES} bytes`);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const receivedMs = Date.now();
      const url = new URL(req.url ?? '/', 'http://osmand');
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
    });
  });
  const actual = await listen(server, port, host, () => new Error(`OsmAnd port ${port} on ${host} is already in use; choose another with --osmand-port.`));
  return {
    port: actual,
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
