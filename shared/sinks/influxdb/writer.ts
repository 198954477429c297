/**
 * Writes line protocol to InfluxDB over HTTP(S): InfluxDB 2 (`POST /api/v2/write?org=&bucket=`,
 * `Authorization: Token …`) or InfluxDB 3 (`POST /api/v3/write_lp?db=`, `Authorization: Bearer …`),
 * both with millisecond timestamps. Amazon Timestream for InfluxDB serves the same APIs.
 *
 * - Batches of `batchSize` lines, one request at a time; a batch is written whole or not at all.
 * - Retries (bounded) on 408, 429, 5xx and network errors, with exponential backoff and jitter, or
 *   after the server's `Retry-After` (capped: a confused server cannot park a Lambda run). Line
 *   protocol writes are idempotent (same series and time overwrite), so a repeat is safe.
 * - Never retried: 400 (bad data), 401/403 (token), 404 (org, bucket, database or URL), 413.
 * - TLS verification is always on; a custom CA (PEM) can be added for a private CA.
 * - The token is never put into an error message, a log line or an error's `cause`; an answer that
 *   echoes it has it replaced by `***`.
 */
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { type AttemptOutcome, type RetryPolicy, retrying, sleep } from '#shared/qrs/http/retry.ts';
import {
  createTextClient,
  type TextClient,
  type TextResponse,
} from '#shared/qrs/http/text-client.ts';

export type InfluxDbVersion = 2 | 3;

export interface InfluxDbTarget {
  /** Base URL, e.g. `https://influx.corp.example:8086` (a path prefix is kept). */
  url: string;
  version: InfluxDbVersion;
  /** InfluxDB 2: organisation (name or id) and bucket. */
  org?: string;
  bucket?: string;
  /** InfluxDB 3: database. */
  database?: string;
}

export interface InfluxDbCredentials {
  token: string;
  /** PEM of a CA to trust besides the public ones (a private CA in front of the server). */
  ca?: string;
}

export interface InfluxDbWriterOptions {
  target: InfluxDbTarget;
  /** Called before each write; cache it (the SSM provider does, see influxdb-from-config.ts). */
  credentials: () => Promise<InfluxDbCredentials>;
  timeoutMs?: number;
  batchSize?: number;
  /** Retries after the first attempt of a batch. */
  maxRetries?: number;
  gzip?: boolean;
  retryDelay?: Partial<Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface InfluxDbWriteSummary {
  lines: number;
  requests: number;
}

export const DEFAULT_BATCH_SIZE = 5_000;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_RETRY_DELAY = { baseDelayMs: 500, maxDelayMs: 10_000 };
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ERR_CANCELED',
]);
const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/;

export class InfluxDbWriteError extends Error {
  /** The HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'InfluxDbWriteError';
    this.status = status;
  }
}

interface Attempt {
  retryable: boolean;
  message: string;
  status?: number;
  retryAfter?: unknown;
}

export class InfluxDbWriter {
  readonly stats = { requests: 0, retries: 0, lines: 0 };
  private readonly target: InfluxDbTarget;
  private readonly credentials: () => Promise<InfluxDbCredentials>;
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly gzip: boolean;
  private readonly retryPolicy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly endpoint: { path: string; params: Record<string, string>; scheme: string };
  private transport: { ca: string | undefined; agent: http.Agent; http: TextClient } | undefined;

  constructor(options: InfluxDbWriterOptions) {
    this.target = options.target;
    this.credentials = options.credentials;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.gzip = options.gzip ?? false;
    this.retryPolicy = {
      maxRetries: this.maxRetries,
      ...DEFAULT_RETRY_DELAY,
      ...options.retryDelay,
    };
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    this.endpoint = endpointOf(options.target);
  }

  /** Where the writes go, for messages: `https://host:8086 (org o, bucket b)`. */
  describe(): string {
    const { url, version, org, bucket, database } = this.target;
    return version === 2
      ? `${url} (org ${org}, bucket ${bucket})`
      : `${url} (database ${database})`;
  }

  /** Writes every line, in batches; the first batch that fails stops the write with an error. */
  async write(lines: readonly string[]): Promise<InfluxDbWriteSummary> {
    if (lines.length === 0) return { lines: 0, requests: 0 };
    const { token, ca } = await this.credentials();
    const client = this.transportFor(ca);
    const before = this.stats.requests;
    for (let start = 0; start < lines.length; start += this.batchSize) {
      const batch = lines.slice(start, start + this.batchSize);
      await this.sendBatch(client, token, batch, start);
      this.stats.lines += batch.length;
    }
    return { lines: lines.length, requests: this.stats.requests - before };
  }

  /** Closes kept-alive sockets. */
  close(): void {
    this.transport?.agent.destroy();
    this.transport = undefined;
  }

  private async sendBatch(
    client: TextClient,
    token: string,
    batch: readonly string[],
    start: number,
  ): Promise<void> {
    const text = `${batch.join('\n')}\n`;
    const body = this.gzip ? gzipSync(text) : text;
    const headers: Record<string, string> = {
      Authorization: `${this.endpoint.scheme} ${token}`,
      'Content-Type': 'text/plain; charset=utf-8',
      Accept: 'application/json',
      ...(this.gzip ? { 'Content-Encoding': 'gzip' } : {}),
    };
    const lines = `lines ${start + 1}-${start + batch.length}`;
    let attempts = 0;
    const failure = await retrying(
      async (): Promise<AttemptOutcome<Attempt | undefined>> => {
        attempts++;
        const outcome = await this.attempt(client, body, headers, token);
        if (outcome === undefined || !outcome.retryable) return { done: outcome };
        return {
          answer: outcome,
          retry: { reason: outcome.message, retryAfter: outcome.retryAfter },
        };
      },
      {
        policy: this.retryPolicy,
        sleep: this.sleep,
        random: this.random,
        onRetry: () => {
          this.stats.retries++;
        },
      },
    );
    if (failure === undefined) return;
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    throw new InfluxDbWriteError(
      `InfluxDB write to ${this.describe()} failed${tries}, ${lines}: ${failure.message}`,
      failure.status,
    );
  }

  /** One request: `undefined` when written, else what went wrong and whether to try again. */
  private async attempt(
    client: TextClient,
    body: string | Buffer,
    headers: Record<string, string>,
    token: string,
  ): Promise<Attempt | undefined> {
    this.stats.requests++;
    let response: TextResponse;
    try {
      response = await client.request({
        method: 'POST',
        url: this.endpoint.path,
        data: body,
        params: this.endpoint.params,
        headers,
        // One deadline for the whole attempt: connection, TLS and answer together.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return this.networkFailure(error);
    }
    if (response.status >= 200 && response.status < 300) return undefined;
    return {
      retryable: RETRYABLE_STATUS.has(response.status),
      status: response.status,
      retryAfter: response.headers['retry-after'],
      message: redact(`${this.statusHint(response.status)}${answerOf(response)}`, token),
    };
  }

  private statusHint(status: number): string {
    const where =
      this.target.version === 2
        ? `org "${this.target.org}" / bucket "${this.target.bucket}"`
        : `database "${this.target.database}"`;
    switch (status) {
      case 400:
        return 'HTTP 400, InfluxDB rejected the data';
      case 401:
        return 'HTTP 401, the token was not accepted: check destinations.influxdb.token (an API token of this InfluxDB)';
      case 403:
        return `HTTP 403, the token may not write to ${where}`;
      case 404:
        return `HTTP 404, ${where} or the write API was not found: check destinations.influxdb (url, version, ${this.target.version === 2 ? 'org, bucket' : 'database'})`;
      case 413:
        return 'HTTP 413, the request is too large: lower destinations.influxdb.batchSize';
      default:
        return `HTTP ${status}`;
    }
  }

  private networkFailure(error: unknown): Attempt {
    const code = (error as { code?: unknown })?.code;
    const codeText = typeof code === 'string' ? code : '';
    // The message only: an error may also carry the request, headers (the token) included.
    const message = error instanceof Error ? error.message : String(error);
    if (
      codeText === 'ERR_CANCELED' ||
      codeText === 'ECONNABORTED' ||
      /abort|timeout/i.test(message)
    )
      return { retryable: true, message: `no answer within ${this.timeoutMs / 1000} s` };
    if (TLS_CODES.test(codeText) || /certificate/i.test(message))
      return {
        retryable: false,
        message: `TLS: the server certificate was not accepted (${codeText || message}): if it is signed by a private CA, set destinations.influxdb.ca; the host name must match the certificate`,
      };
    if (codeText === 'ENOTFOUND')
      return {
        retryable: false,
        message: `the host name does not resolve (ENOTFOUND): check destinations.influxdb.url and DNS in the VPC`,
      };
    return {
      retryable: RETRYABLE_CODES.has(codeText),
      message: `${codeText || 'network error'}: ${message}`,
    };
  }

  private transportFor(ca: string | undefined): TextClient {
    if (this.transport && this.transport.ca === ca) return this.transport.http;
    this.transport?.agent.destroy();
    const secure = this.target.url.startsWith('https:');
    // Verification is not configurable: a private CA is added to the trusted ones, never instead.
    const agent = secure
      ? new https.Agent({
          keepAlive: true,
          maxSockets: 2,
          rejectUnauthorized: true,
          ...(ca ? { ca: [...rootCertificates, ca] } : {}),
        })
      : new http.Agent({ keepAlive: true, maxSockets: 2 });
    const client = createTextClient({
      baseURL: this.target.url,
      agent,
      secure,
      maxResponseBytes: 1_000_000,
    });
    this.transport = { ca, agent, http: client };
    return client;
  }
}

function endpointOf(target: InfluxDbTarget): {
  path: string;
  params: Record<string, string>;
  scheme: string;
} {
  if (target.version === 2) {
    return {
      path: '/api/v2/write',
      params: { org: target.org ?? '', bucket: target.bucket ?? '', precision: 'ms' },
      scheme: 'Token',
    };
  }
  return {
    path: '/api/v3/write_lp',
    // All or nothing: a rejected line fails the batch with its reason instead of vanishing.
    params: { db: target.database ?? '', precision: 'millisecond', accept_partial: 'false' },
    scheme: 'Bearer',
  };
}

/** `: <message>` from InfluxDB's error body (`{"code","message"}` in v2, `{"error"}` in v3). */
function answerOf(response: TextResponse): string {
  const raw = typeof response.data === 'string' ? response.data.trim() : '';
  if (raw === '') return '';
  let text = raw;
  try {
    const json = JSON.parse(raw) as Record<string, unknown>;
    const message = json.message ?? json.error;
    if (typeof message === 'string') text = message;
  } catch {
    // Not JSON: the text as it is.
  }
  const oneLine = text.replace(/\s+/g, ' ');
  return `: ${oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine}`;
}

function redact(text: string, token: string): string {
  return token.length >= 4 ? text.split(token).join('***') : text;
}
