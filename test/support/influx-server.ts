/**
 * An InfluxDB stand-in for the tests: a real HTTP(S) server on 127.0.0.1 with InfluxDB's two write
 * APIs, as strict as InfluxDB where it matters here.
 *
 * - InfluxDB 2: `POST /api/v2/write?org=&bucket=&precision=` with `Authorization: Token <token>`.
 * - InfluxDB 3: `POST /api/v3/write_lp?db=&precision=&accept_partial=` with
 *   `Authorization: Bearer <token>`.
 * - Unknown token → 401; unknown org, bucket or database → 404; bad query → 400; the body
 *   (gzip allowed) parsed strictly (line-protocol-parser.ts) → 400 naming the line; a field
 *   written with another type than before in the same measurement → a type conflict (422 in v2,
 *   400 in v3), as InfluxDB fixes a field's type; timestamps checked against the precision.
 * - Success: 204, every point kept (`points`), every request recorded (`requests`).
 * - `failNext(...)` answers the next requests with given statuses first (503, 429 + Retry-After…).
 */
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { LineParseError, type ParsedLine, parseLines } from './line-protocol-parser.ts';

export interface InfluxServerOptions {
  token: string;
  /** InfluxDB 2 org and bucket the server has. */
  org?: string;
  bucket?: string;
  /** InfluxDB 3 database the server has. */
  database?: string;
  /** Serve HTTPS with this certificate (else plain HTTP). */
  tls?: { cert: string; key: string };
  /** Millisecond timestamps must lie within this range (default: 2001 to 2100). */
  earliestMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** The body as received, decompressed. */
  body: string;
  status: number;
}

export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Hold the answer this long (for timeouts). */
  delayMs?: number;
}

export interface InfluxServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Points written, in order, as parsed. */
  points: ParsedLine[];
  /** The raw lines written (successful writes only), in order. */
  lines: string[];
  failNext(...answers: CannedAnswer[]): void;
  close(): Promise<void>;
}

type FieldTypes = Map<string, Map<string, string>>;

export async function startInfluxServer(options: InfluxServerOptions): Promise<InfluxServer> {
  const requests: RecordedRequest[] = [];
  const points: ParsedLine[] = [];
  const lines: string[] = [];
  const canned: CannedAnswer[] = [];
  const fieldTypes: FieldTypes = new Map();
  const earliest = BigInt(options.earliestMs ?? Date.UTC(2001, 0, 1));
  const latest = BigInt(Date.UTC(2100, 0, 1));

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams.entries());
    let body = Buffer.concat(chunks);
    const record: RecordedRequest = {
      method: request.method ?? '',
      path: url.pathname,
      query,
      headers: request.headers,
      body: '',
      status: 0,
    };
    requests.push(record);
    const answer = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      const text = json === undefined ? '' : typeof json === 'string' ? json : JSON.stringify(json);
      response.writeHead(status, {
        ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
        ...headers,
      });
      response.end(text);
    };
    try {
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      else if (request.headers['content-encoding'] !== undefined)
        return answer(415, { code: 'invalid', message: 'unsupported content encoding' });
    } catch {
      return answer(400, { code: 'invalid', message: 'body is not gzip' });
    }
    record.body = body.toString('utf8');

    const next = canned.shift();
    if (next) {
      if (next.delayMs) await new Promise((resolve) => setTimeout(resolve, next.delayMs));
      return answer(next.status, next.body, next.headers);
    }

    const v2 = url.pathname === '/api/v2/write';
    const v3 = url.pathname === '/api/v3/write_lp';
    if (!v2 && !v3) return answer(404, { code: 'not found', message: 'path not found' });
    if (request.method !== 'POST') return answer(405, { code: 'method not allowed' });

    const scheme = v2 ? 'Token' : 'Bearer';
    if (request.headers.authorization !== `${scheme} ${options.token}`)
      return v2
        ? answer(401, { code: 'unauthorized', message: 'unauthorized access' })
        : answer(401, { error: 'the request was not authenticated' });

    let precision: 'ms' | 'ns';
    if (v2) {
      const known = new Set(['org', 'orgID', 'bucket', 'precision']);
      const unknown = Object.keys(query).filter((key) => !known.has(key));
      if (unknown.length > 0)
        return answer(400, { code: 'invalid', message: `unknown ${unknown}` });
      if (!query.bucket) return answer(400, { code: 'invalid', message: 'bucket is required' });
      if (query.org !== options.org)
        return answer(404, {
          code: 'not found',
          message: `organization name "${query.org}" not found`,
        });
      if (query.bucket !== options.bucket)
        return answer(404, { code: 'not found', message: `bucket "${query.bucket}" not found` });
      if (query.precision !== 'ms' && query.precision !== 'ns' && query.precision !== undefined)
        return answer(400, { code: 'invalid', message: 'this server test expects ms or ns' });
      precision = query.precision === 'ms' ? 'ms' : 'ns';
    } else {
      const known = new Set(['db', 'precision', 'accept_partial', 'no_sync']);
      const unknown = Object.keys(query).filter((key) => !known.has(key));
      if (unknown.length > 0) return answer(400, { error: `invalid query parameter ${unknown}` });
      if (query.db !== options.database)
        return answer(404, { error: `database not found: ${query.db}` });
      if (query.precision !== 'millisecond' && query.precision !== 'nanosecond')
        return answer(400, { error: 'this server test expects millisecond or nanosecond' });
      if (!['true', 'false', undefined].includes(query.accept_partial))
        return answer(400, { error: 'accept_partial must be true or false' });
      precision = query.precision === 'millisecond' ? 'ms' : 'ns';
    }
    if (request.headers['content-type'] !== 'text/plain; charset=utf-8')
      return answer(400, { error: `content type ${request.headers['content-type']}` });

    let parsed: ParsedLine[];
    try {
      parsed = parseLines(record.body);
    } catch (error) {
      const message = error instanceof LineParseError ? error.message : String(error);
      return v2 ? answer(400, { code: 'invalid', message }) : answer(400, { error: message });
    }
    const scale = precision === 'ms' ? 1n : 1_000_000n;
    const staged = new Map<string, string>();
    for (const [index, point] of parsed.entries()) {
      const time = point.timestamp / scale;
      if (time < earliest || time > latest) {
        const message = `line ${index + 1}: timestamp ${point.timestamp} is not a ${precision} time`;
        return v2 ? answer(400, { code: 'invalid', message }) : answer(400, { error: message });
      }
      const known = fieldTypes.get(point.measurement);
      for (const [field, value] of Object.entries(point.fields)) {
        const key = `${point.measurement}\u0000${field}`;
        const before = known?.get(field) ?? staged.get(key);
        if (before !== undefined && before !== value.type) {
          const message = `partial write: field type conflict: input field "${field}" on measurement "${point.measurement}" is type ${value.type}, already exists as type ${before}`;
          return v2
            ? answer(422, { code: 'unprocessable entity', message })
            : answer(400, { error: message });
        }
        staged.set(key, value.type);
      }
    }
    for (const [key, type] of staged) {
      const [measurement, field] = key.split('\u0000') as [string, string];
      const map = fieldTypes.get(measurement) ?? new Map<string, string>();
      map.set(field, type);
      fieldTypes.set(measurement, map);
    }
    points.push(...parsed);
    lines.push(...record.body.split('\n').filter((line) => line !== ''));
    return answer(204);
  };

  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  };
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : http.createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://localhost:${port}`,
    port,
    requests,
    points,
    lines,
    failNext: (...answers) => canned.push(...answers),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
