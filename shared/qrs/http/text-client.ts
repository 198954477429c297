/**
 * The HTTP client both callers (QRS and the InfluxDB writer) share, on bare `node:http(s)`: no
 * proxy, no redirects (a 3xx is returned like any status), the body as text (parsed by the caller,
 * so a truncated body is a clear error), every status returned to the caller to judge, and a bound
 * on the answer's size, checked while it streams in (after gunzip, so a small compressed body
 * cannot unpack into gigabytes). It replaced axios: per request, axios cost about as much CPU as
 * the TLS write itself, which bounded the DELETE phase, and 100 ms of cold start (BENCHMARKS.md).
 */
import http from 'node:http';
import https from 'node:https';
import { createGunzip, createInflate } from 'node:zlib';

export interface TextClientOptions {
  baseURL: string;
  agent: http.Agent | https.Agent;
  secure: boolean;
  maxResponseBytes: number;
}

export interface TextRequest {
  method: string;
  /** Appended to `baseURL`. */
  url: string;
  params?: Record<string, string | number>;
  /** A string or Buffer is sent as it is; anything else as JSON. */
  data?: unknown;
  headers?: Record<string, string>;
  /** When it aborts, the request fails with code `ERR_CANCELED` (the callers' timeout). */
  signal?: AbortSignal;
}

export interface TextResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  data: string;
}

export interface TextClient {
  request(spec: TextRequest): Promise<TextResponse>;
}

export function createTextClient(options: TextClientOptions): TextClient {
  const base = options.baseURL.replace(/\/+$/, '');
  const send = options.secure ? https.request : http.request;
  return {
    request: (spec) =>
      new Promise<TextResponse>((resolve, reject) => {
        const canceled = () =>
          Object.assign(new Error('timeout: no complete answer in time'), {
            code: 'ERR_CANCELED',
          });
        if (spec.signal?.aborted) return reject(canceled());
        const query = new URLSearchParams();
        for (const [name, value] of Object.entries(spec.params ?? {}))
          query.append(name, String(value));
        const search = query.size > 0 ? `?${query}` : '';
        const url = new URL(`${base}/${spec.url.replace(/^\/+/, '')}${search}`);
        const body =
          spec.data === undefined
            ? undefined
            : typeof spec.data === 'string' || Buffer.isBuffer(spec.data)
              ? spec.data
              : JSON.stringify(spec.data);
        const headers: Record<string, string | number> = {
          'Accept-Encoding': 'gzip, deflate',
          ...spec.headers,
        };
        if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
        const fail = (error: Error) => {
          request.destroy();
          reject(error);
        };
        const request = send(url, { method: spec.method, agent: options.agent, headers });
        const onAbort = () => fail(canceled());
        spec.signal?.addEventListener('abort', onAbort, { once: true });
        const done = () => spec.signal?.removeEventListener('abort', onAbort);
        request.on('error', (error) => {
          done();
          reject(error);
        });
        request.on('response', (response) => {
          const encoding = String(response.headers['content-encoding'] ?? '').toLowerCase();
          const stream =
            encoding === 'gzip'
              ? response.pipe(createGunzip())
              : encoding === 'deflate'
                ? response.pipe(createInflate())
                : response;
          // With a Content-Length (QRS sends one), one buffer of that size takes each chunk as
          // it comes: a 10 MB list is then held twice at most (bytes, text), not three times.
          const declared = stream === response ? Number(response.headers['content-length']) : NaN;
          const whole =
            Number.isInteger(declared) && declared > 0 && declared <= options.maxResponseBytes
              ? Buffer.allocUnsafe(declared)
              : undefined;
          const chunks: Buffer[] = [];
          let size = 0;
          let copied = 0;
          stream.on('data', (chunk: Buffer) => {
            if (size + chunk.length > options.maxResponseBytes) {
              done();
              stream.destroy();
              fail(new Error(`maxContentLength size of ${options.maxResponseBytes} exceeded`));
              return;
            }
            if (whole && chunks.length === 0 && copied + chunk.length <= whole.length) {
              chunk.copy(whole, copied);
              copied += chunk.length;
            } else chunks.push(chunk);
            size += chunk.length;
          });
          stream.on('error', (error: Error) => {
            done();
            fail(error);
          });
          stream.on('end', () => {
            done();
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              data: bodyText(whole, copied, chunks),
            });
          });
        });
        request.end(body);
      }),
  };
}

/** The body as text: the preallocated buffer when the answer fit it, else the chunks. */
function bodyText(whole: Buffer | undefined, copied: number, chunks: Buffer[]): string {
  if (whole && chunks.length === 0) return whole.toString('utf8', 0, copied);
  // The answer outgrew its Content-Length (or had none): the copied part, then the rest.
  const parts = whole ? [whole.subarray(0, copied), ...chunks] : chunks;
  return Buffer.concat(parts).toString('utf8');
}
