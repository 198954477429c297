/**
 * Writes line protocol to InfluxDB over HTTP(S): InfluxDB 1 (`POST /write?db=&rp=`, basic
 * authentication or none), InfluxDB 2 (`POST /api/v2/write?org=&bucket=`, `Authorization: Token …`)
 * or InfluxDB 3 (`POST /api/v3/write_lp?db=`, `Authorization: Bearer …`), all with millisecond
 * timestamps (endpoint.ts). Amazon Timestream for InfluxDB serves the same APIs.
 *
 * - Batches of `batchSize` lines, one request at a time; a batch is written whole or not at all.
 * - Retries (bounded) on 408, 429, 5xx and network errors, with exponential backoff and jitter, or
 *   after the server's `Retry-After` (capped: a confused server cannot park a Lambda run). Line
 *   protocol writes are idempotent (same series and time overwrite), so a repeat is safe.
 * - Never retried: 400 (bad data), 401/403 (token or user), 404 (org, bucket, database or URL), 413.
 * - TLS verification is always on; a custom CA (PEM) can be added for a private CA.
 * - The token or password is never put into an error message, a log line or an error's `cause`;
 *   an answer that echoes it has it replaced by `***`.
 */
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { gzipSync } from 'node:zlib';
import type { AxiosInstance, AxiosResponse } from 'axios';
import { INFLUXDB_RETRY_DELAY } from '#shared/config/time-budget.ts';
import { StewardError } from '#shared/errors.ts';
import { type AttemptOutcome, type RetryPolicy, retrying, sleep } from '#shared/http/retry.ts';
import { createTextClient } from '#shared/http/text-client.ts';
import {
  authorizationOf,
  describeTarget,
  endpointOf,
  type InfluxDbCredentials,
  type InfluxDbEndpoint,
  type InfluxDbTarget,
  permanentFailure,
  secretTexts,
  statusHint,
} from './endpoint.ts';
import { redactSecrets } from './redact.ts';

export type { InfluxDbCredentials, InfluxDbTarget, InfluxDbVersion } from './endpoint.ts';

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

export class InfluxDbWriteError extends StewardError {
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
  private readonly endpoint: InfluxDbEndpoint;
  private transport: { ca: string | undefined; agent: http.Agent; http: AxiosInstance } | undefined;

  constructor(options: InfluxDbWriterOptions) {
    this.target = options.target;
    this.credentials = options.credentials;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.gzip = options.gzip ?? false;
    this.retryPolicy = {
      maxRetries: this.maxRetries,
      ...INFLUXDB_RETRY_DELAY,
      ...options.retryDelay,
    };
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    this.endpoint = endpointOf(options.target);
  }

  /** Where the writes go, for messages: `https://host:8086 (org o, bucket b)`. */
  describe(): string {
    return describeTarget(this.target);
  }

  /** Writes every line, in batches; the first batch that fails stops the write with an error. */
  async write(lines: readonly string[]): Promise<InfluxDbWriteSummary> {
    if (lines.length === 0) return { lines: 0, requests: 0 };
    const credentials = await this.credentials();
    const client = this.transportFor(credentials.ca);
    const before = this.stats.requests;
    for (let start = 0; start < lines.length; start += this.batchSize) {
      const batch = lines.slice(start, start + this.batchSize);
      await this.sendBatch(client, credentials, batch, start);
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
    client: AxiosInstance,
    credentials: InfluxDbCredentials,
    batch: readonly string[],
    start: number,
  ): Promise<void> {
    const text = `${batch.join('\n')}\n`;
    const body = this.gzip ? gzipSync(text) : text;
    const authorization = authorizationOf(this.target.version, credentials);
    const secrets = secretTexts(credentials, authorization);
    const headers: Record<string, string> = {
      ...(authorization ? { Authorization: authorization } : {}),
      'Content-Type': 'text/plain; charset=utf-8',
      Accept: 'application/json',
      ...(this.gzip ? { 'Content-Encoding': 'gzip' } : {}),
    };
    const lines = `lines ${start + 1}-${start + batch.length}`;
    let attempts = 0;
    const failure = await retrying(
      async (): Promise<AttemptOutcome<Attempt | undefined>> => {
        attempts++;
        const outcome = await this.attempt(client, body, headers, secrets);
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
    client: AxiosInstance,
    body: string | Buffer,
    headers: Record<string, string>,
    secrets: readonly string[],
  ): Promise<Attempt | undefined> {
    this.stats.requests++;
    let response: AxiosResponse<string>;
    try {
      response = await client.post<string>(this.endpoint.path, body, {
        params: this.endpoint.params,
        headers,
        // One deadline for the whole attempt: connection, TLS and answer together.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return this.networkFailure(error);
    }
    if (response.status >= 200 && response.status < 300) return undefined;
    const answer = answerOf(response, secrets);
    const permanent = permanentFailure(this.target, response.status, answer);
    return {
      retryable: RETRYABLE_STATUS.has(response.status) && permanent === undefined,
      status: response.status,
      retryAfter: response.headers['retry-after'],
      message: redactSecrets(
        `${permanent ?? statusHint(this.target, response.status)}${answer}`,
        secrets,
      ),
    };
  }

  private networkFailure(error: unknown): Attempt {
    const code = (error as { code?: unknown })?.code;
    const codeText = typeof code === 'string' ? code : '';
    // The message only: an axios error also carries the request, headers (the token) included.
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

  private transportFor(ca: string | undefined): AxiosInstance {
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

/**
 * `: <message>` from InfluxDB's error body (`{"code","message"}` in v2, `{"error"}` in v1 and v3),
 * secrets blanked before it is cut to 300 characters (a cut would leave a secret's start).
 */
function answerOf(response: AxiosResponse<string>, secrets: readonly string[]): string {
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
  const oneLine = redactSecrets(text, secrets).replace(/\s+/g, ' ');
  return `: ${oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine}`;
}
