/**
 * HTTPS to QRS: the client certificate, the server always verified against the site's CA, a fresh
 * xrfkey per request, the `X-Qlik-User` identity, one deadline per attempt, bounded retries, and
 * failures turned into typed errors with advice. The endpoints are in client.ts.
 */
import type { Readable } from 'node:stream';
import type { AxiosInstance, AxiosResponse } from 'axios';
import pLimit from 'p-limit';
import {
  type AttemptOutcome,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  retrying,
  sleep,
} from '#shared/http/retry.ts';
import { createTextClient } from '#shared/http/text-client.ts';
import {
  clientCertificateAdvice,
  errorCode,
  networkAdvice,
  statusHint,
  tlsAdvice,
} from './advice.ts';
import {
  QrsError,
  QrsHttpError,
  type QrsMethod,
  QrsNetworkError,
  QrsResponseError,
  QrsTimeoutError,
  QrsTlsError,
} from './errors.ts';
import { qlikUserHeader } from './identity.ts';
import {
  JsonBodyError,
  type JsonStreamRead,
  type JsonStreamSpec,
  readJsonStream,
} from './json-stream.ts';
import {
  maxResponseBytesFor,
  maxStreamedResponseBytesFor,
  responseLimitOrigin,
} from './response-limit.ts';
import { streamedAnswer } from './streamed-answer.ts';
import { QrsHttpsAgent, serverCertificateErrorOf } from './tls/qrs-https-agent.ts';
import {
  type CertificateNames,
  QMC_CERTIFICATE_NAMES,
  type QrsTlsMaterial,
} from './tls-material.ts';
import { newXrfkey } from './xrfkey.ts';

export interface QrsTransportOptions {
  host: string;
  port?: number;
  /** TLS name to verify when `host` is an IP address or an alias not in the certificate. */
  servername?: string;
  /** Identity QRS acts as (`X-Qlik-User`). */
  user?: { directory: string; id: string };
  tls: QrsTlsMaterial;
  /** The configured certificate sources, for messages (default: the QMC's file names). */
  certificateNames?: CertificateNames;
  /** Hard limit for one attempt, every stage included (TCP, TLS, response). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Responses larger than this fail instead of exhausting memory (default: response-limit.ts). */
  maxResponseBytes?: number;
  /** The same for answers read as they arrive (`requestJsonStream`), which are never held whole. */
  maxStreamedResponseBytes?: number;
  /** Sockets per client: bounds the requests QRS sees in flight from one run. */
  maxSockets?: number;
  logger?: QrsLogger;
  /** Injected for tests: backoff without real waiting. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface QrsLogger {
  warn(message: string, extra?: Record<string, unknown>): void;
  debug(message: string, extra?: Record<string, unknown>): void;
}

/** Counters for one client's lifetime: what the benchmark and the run summary report. */
export interface QrsClientStats {
  requests: number;
  retries: number;
  bytesReceived: number;
}

/** The last QRS `Date` header and when it arrived (local clock, ms since epoch): the clock guard. */
export interface ServerClock {
  serverDate: string;
  receivedAt: number;
}

/**
 * The clock one run saw: only `Date` headers of answers that arrived after the run began. A
 * pooled client outlives its runs (warm Lambda), and a run must never be judged by the clock of
 * an earlier one (docs/release.md, "Clocks").
 */
export interface ClockReading {
  current(): ServerClock | undefined;
}

export interface RequestSpec {
  method: QrsMethod;
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** No attempt runs past this time (ms since epoch): each one is cut short, no retry starts. */
  deadlineAt?: number;
}

export const DEFAULT_QRS_USER = { directory: 'INTERNAL', id: 'sa_api' } as const;
export const DEFAULT_TIMEOUT_MS = 30_000;
export { DEFAULT_MAX_RESPONSE_BYTES } from './response-limit.ts';

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** A DELETE is repeated only where the first one surely did not run, or a repeat is harmless. */
const DELETE_RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export class QrsTransport {
  readonly stats: QrsClientStats = { requests: 0, retries: 0, bytesReceived: 0 };
  readonly baseUrl: string;
  /** QRS's clock: the latest `Date` header and when it arrived (doctor shows it). */
  serverClock: ServerClock | undefined;
  /** Answers received so far, and which of them brought `serverClock`: what a run's reading compares. */
  private answers = 0;
  private clockAnswer = 0;
  private readonly http: AxiosInstance;
  private readonly agent: QrsHttpsAgent;
  /** Requests in flight from this client (the agent does not count sockets mid-handshake). */
  private readonly inFlight: ReturnType<typeof pLimit>;
  private readonly userHeader: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly logger: QrsLogger | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxResponseBytes: number;
  private readonly maxStreamedResponseBytes: number;
  /** What is wrong with the client certificate itself, if anything (checked when QRS hangs up). */
  private readonly clientCertificateProblem: () => string | undefined;
  private readonly certificateNames: CertificateNames;

  constructor(options: QrsTransportOptions) {
    const port = options.port ?? 4242;
    const user = options.user ?? DEFAULT_QRS_USER;
    this.baseUrl = `https://${options.host}:${port}/qrs`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.logger = options.logger;
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    this.maxResponseBytes = options.maxResponseBytes ?? maxResponseBytesFor(process.env);
    this.maxStreamedResponseBytes =
      options.maxStreamedResponseBytes ?? maxStreamedResponseBytesFor(process.env);
    this.certificateNames = options.certificateNames ?? QMC_CERTIFICATE_NAMES;
    this.clientCertificateProblem = clientCertificateAdvice(options.tls, this.certificateNames);
    this.userHeader = qlikUserHeader(user);
    // Verification is not configurable: the CA is the site's own root.pem, nothing else is trusted
    // (Qlik's certificate purposes: tls/qrs-https-agent.ts).
    const maxSockets = options.maxSockets ?? 8;
    this.inFlight = pLimit(maxSockets);
    this.agent = new QrsHttpsAgent({
      cert: options.tls.cert,
      key: options.tls.key,
      ca: options.tls.ca,
      keepAlive: true,
      maxSockets,
      handshakeTimeoutMs: this.timeoutMs,
      caName: this.certificateNames.ca,
      ...(options.servername ? { servername: options.servername } : {}),
    });
    this.http = createTextClient({
      baseURL: this.baseUrl,
      agent: this.agent,
      secure: true,
      maxResponseBytes: this.maxResponseBytes,
    });
  }

  /** Closes kept-alive sockets (the CLI calls this so the process can exit promptly). */
  close(): void {
    this.agent.destroy();
  }

  /** From now on: the `Date` headers of answers received after this call, and none before. */
  readClock(): ClockReading {
    const since = this.answers;
    return {
      current: () => (this.clockAnswer > since ? this.serverClock : undefined),
    };
  }

  /** A 2xx answer's body parsed as JSON; any other answer is a `QrsHttpError`. */
  async requestJson(spec: RequestSpec): Promise<unknown> {
    const response = await this.send(spec);
    if (response.status < 200 || response.status >= 300)
      throw this.httpError(response, spec.method, spec.path);
    const text = typeof response.data === 'string' ? response.data : '';
    try {
      return JSON.parse(text);
    } catch {
      throw new QrsResponseError(
        `body is not valid JSON (${text.length} characters received; truncated or not QRS?)`,
        spec.method,
        spec.path,
      );
    }
  }

  /**
   * A 2xx answer's body read as it arrives (json-stream.ts): `spec` (a fresh one per attempt, so
   * a retry starts clean) says what the top level must be and gets each value at its paths. The
   * attempt's deadline and the streamed size limit cover the whole body; a body that is not the
   * complete document expected is a `QrsResponseError`, any other answer a `QrsHttpError`.
   */
  async requestJsonStream(
    spec: RequestSpec,
    reader: () => JsonStreamSpec,
  ): Promise<JsonStreamRead> {
    let read: JsonStreamRead | undefined;
    const response = await this.send(spec, undefined, async (body) => {
      read = await readJsonStream(body, reader());
      this.stats.bytesReceived += read.bytes;
    });
    if (response.status < 200 || response.status >= 300 || !read)
      throw this.httpError(response, spec.method, spec.path);
    return read;
  }

  /**
   * Sends with retries; resolves with any HTTP response (status judged by the caller). With
   * `readBody`, a 2xx body is read by it inside the attempt (its failures are the attempt's).
   */
  send(
    spec: RequestSpec,
    onRetry?: () => void,
    readBody?: (body: Readable) => Promise<void>,
  ): Promise<AxiosResponse<string>> {
    const retryable = spec.method === 'DELETE' ? DELETE_RETRYABLE_STATUS : RETRYABLE_STATUS;
    return retrying(
      async (): Promise<AttemptOutcome<AxiosResponse<string>>> => {
        try {
          const response = await this.sendOnce(spec, readBody);
          if (!retryable.has(response.status)) return { done: response };
          return {
            answer: response,
            retry: {
              reason: `HTTP ${response.status}`,
              retryAfter: response.headers['retry-after'],
            },
          };
        } catch (caught) {
          const error = this.toQrsError(caught, spec);
          const transient =
            error instanceof QrsNetworkError && RETRYABLE_NETWORK_CODES.has(error.code);
          return transient ? { failed: error, retry: { reason: error.code } } : { failed: error };
        }
      },
      {
        policy: this.retry,
        ...(spec.deadlineAt === undefined ? {} : { deadlineAt: spec.deadlineAt }),
        sleep: this.sleep,
        random: this.random,
        onRetry: ({ attempt, delayMs, reason }) => {
          this.stats.retries++;
          this.logger?.warn('QRS request will be retried', {
            method: spec.method,
            path: spec.path,
            attempt,
            delayMs,
            reason,
          });
          onRetry?.();
        },
      },
    );
  }

  httpError(response: AxiosResponse<string>, method: QrsMethod, path: string): QrsHttpError {
    return new QrsHttpError(response.status, method, path, statusHint(response));
  }

  private async sendOnce(
    spec: RequestSpec,
    readBody?: (body: Readable) => Promise<void>,
  ): Promise<AxiosResponse<string>> {
    const xrfkey = newXrfkey();
    const params: Record<string, string | number> = { xrfkey };
    for (const [name, value] of Object.entries(spec.query ?? {}))
      if (value !== undefined) params[name] = value;
    this.stats.requests++;
    const timeoutMs = attemptTimeoutMs(this.timeoutMs, spec.deadlineAt);
    const request = () =>
      this.http.request<string>({
        method: spec.method,
        url: spec.path,
        params,
        data: spec.body,
        headers: {
          'X-Qlik-Xrfkey': xrfkey,
          'X-Qlik-User': this.userHeader,
          Accept: 'application/json',
          ...(spec.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        // One deadline for the whole attempt: a TLS handshake that never completes counts too,
        // and so does a streamed body (axios destroys the stream when the signal fires).
        signal: AbortSignal.timeout(timeoutMs),
        ...(readBody
          ? { responseType: 'stream', maxContentLength: this.maxStreamedResponseBytes }
          : {}),
      });
    // A streamed answer keeps its place among the requests in flight until its body is read.
    const response = await this.inFlight(async () =>
      readBody ? streamedAnswer(await request(), readBody) : request(),
    );
    this.answers++;
    const serverDate = response.headers.date;
    if (typeof serverDate === 'string') {
      this.serverClock = { serverDate, receivedAt: Date.now() };
      this.clockAnswer = this.answers;
    }
    this.stats.bytesReceived +=
      typeof response.data === 'string' ? Buffer.byteLength(response.data) : 0;
    this.logger?.debug('QRS response', {
      method: spec.method,
      path: spec.path,
      status: response.status,
    });
    return response;
  }

  private toQrsError(error: unknown, spec: RequestSpec): QrsError {
    if (error instanceof QrsError) return error;
    const { method, path } = spec;
    const code = errorCode(error);
    const message = error instanceof Error ? error.message : String(error);
    if (
      code === 'ECONNABORTED' ||
      code === 'ERR_CANCELED' ||
      code === 'ETIMEDOUT' ||
      /timeout/i.test(message)
    ) {
      return new QrsTimeoutError(attemptTimeoutMs(this.timeoutMs, spec.deadlineAt), method, path);
    }
    if (error instanceof JsonBodyError) return new QrsResponseError(message, method, path);
    const limit = /maxContentLength size of (\d+)/i.exec(message);
    if (limit) {
      const bytes = Number(limit[1]);
      return new QrsResponseError(
        `response larger than the configured maximum of ${bytes} bytes${responseLimitOrigin(bytes, process.env)}: QRS sent far more than a run expects (check the server-side filter and the site's size)`,
        method,
        path,
      );
    }
    const refused = serverCertificateErrorOf(error);
    if (refused) return new QrsTlsError(refused.code, refused.advice, method, path);
    const where = this.baseUrl.replace(/\/qrs$/, '');
    const tls = tlsAdvice(code, message, this.certificateNames, where);
    if (tls) return new QrsTlsError(code, tls, method, path);
    const certificate =
      code === 'ECONNRESET' || code === 'EPIPE' ? this.clientCertificateProblem() : undefined;
    const advice = certificate
      ? `QRS may have rejected the client certificate: ${certificate}`
      : networkAdvice(code, this.baseUrl, this.certificateNames);
    return new QrsNetworkError(code || 'UNKNOWN', advice, method, path);
  }
}

/** The configured timeout, or less when the deadline comes first (at least 1 ms). */
function attemptTimeoutMs(timeoutMs: number, deadlineAt: number | undefined): number {
  return deadlineAt === undefined
    ? timeoutMs
    : Math.max(1, Math.min(timeoutMs, deadlineAt - Date.now()));
}
