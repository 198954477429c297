/**
 * The Qlik Sense Repository Service (QRS) client: HTTPS with a client certificate, the server
 * always verified against the site's CA, a fresh xrfkey per request, bounded retries, typed
 * errors and schema-validated results.
 */
import { X509Certificate } from 'node:crypto';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import pLimit from 'p-limit';
import type { z } from 'zod';
import {
  type Allocation,
  type LicenseType,
  type MalformedItem,
  normaliseAllocations,
} from './allocation.ts';
import {
  QrsError,
  QrsHttpError,
  type QrsMethod,
  QrsNetworkError,
  QrsResponseError,
  QrsTimeoutError,
  QrsTlsError,
} from './errors.ts';
import { idIn } from './filter.ts';
import { qlikUserHeader } from './identity.ts';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  retryAfterMs,
  sleep,
} from './retry.ts';
import {
  type AccessTypeOverview,
  accessTypeOverviewSchema,
  countSchema,
  describeIssues,
  type License,
  licenseSchema,
  type QrsUser,
  userSchema,
} from './schemas.ts';
import { QrsHttpsAgent, serverCertificateErrorOf } from './tls/qrs-https-agent.ts';
import { newXrfkey } from './xrfkey.ts';

export interface QrsTlsMaterial {
  /** Client certificate (PEM), exported from the QMC as client.pem. */
  cert: string;
  /** Client private key (PEM), client_key.pem. */
  key: string;
  /** The site's root CA (PEM), root.pem: the only CA the server certificate is verified against. */
  ca: string;
}

export interface QrsClientOptions {
  host: string;
  port?: number;
  /** TLS name to verify when `host` is an IP address or an alias not in the certificate. */
  servername?: string;
  /** Identity QRS acts as (`X-Qlik-User`). */
  user?: { directory: string; id: string };
  tls: QrsTlsMaterial;
  /** Hard limit for one attempt, every stage included (TCP, TLS, response). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Responses larger than this fail instead of exhausting memory. */
  maxResponseBytes?: number;
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

export type DeleteOutcome =
  | { outcome: 'deleted' }
  | { outcome: 'alreadyGone'; afterRetry: boolean };

export const DEFAULT_QRS_USER = { directory: 'INTERNAL', id: 'sa_api' } as const;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
/** GUIDs per `id eq … or …` filter: about 2.5 kB of query string, well inside QRS's URL limit. */
export const DEFAULT_USER_BATCH_SIZE = 50;

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

type AccessTypeRoute = 'professionalaccesstype' | 'analyzeraccesstype';
const ACCESS_TYPE_ROUTE: Record<LicenseType, AccessTypeRoute> = {
  professional: 'professionalaccesstype',
  analyzer: 'analyzeraccesstype',
};

interface RequestSpec {
  method: QrsMethod;
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

export class QrsClient {
  readonly stats: QrsClientStats = { requests: 0, retries: 0, bytesReceived: 0 };
  /** The `Date` header of the latest response: QRS's clock (doctor and release compare it). */
  lastResponseDate: string | undefined;
  readonly baseUrl: string;
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
  /** What is wrong with the client certificate itself, if anything (checked when QRS hangs up). */
  private readonly clientCertificateProblem: () => string | undefined;

  constructor(options: QrsClientOptions) {
    const port = options.port ?? 4242;
    const user = options.user ?? DEFAULT_QRS_USER;
    this.baseUrl = `https://${options.host}:${port}/qrs`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.logger = options.logger;
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.clientCertificateProblem = clientCertificateCheck(options.tls);
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
      ...(options.servername ? { servername: options.servername } : {}),
    });
    this.http = axios.create({
      baseURL: this.baseUrl,
      httpsAgent: this.agent,
      proxy: false,
      maxRedirects: 0,
      timeout: this.timeoutMs,
      maxContentLength: this.maxResponseBytes,
      responseType: 'text',
      // Parse JSON ourselves: a truncated body must become a clear error, not a string.
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
    });
  }

  /** Closes kept-alive sockets (the CLI calls this so the process can exit promptly). */
  close(): void {
    this.agent.destroy();
  }

  getAccessTypeOverview(): Promise<AccessTypeOverview> {
    return this.getJson('/license/accesstypeoverview', accessTypeOverviewSchema);
  }

  getLicense(): Promise<License> {
    return this.getJson('/license', licenseSchema);
  }

  /**
   * Allocations of one license type (`…accesstype/full`), optionally narrowed by a QRS filter.
   * Items without an id are returned as `malformed`; other schema problems stay on the item.
   */
  async listAllocations(
    licenseType: LicenseType,
    filter?: string,
  ): Promise<{ allocations: Allocation[]; malformed: MalformedItem[] }> {
    const path = `/license/${ACCESS_TYPE_ROUTE[licenseType]}/full`;
    const body = await this.requestJson({ method: 'GET', path, query: { filter } });
    try {
      return normaliseAllocations(body, licenseType);
    } catch (error) {
      throw new QrsResponseError((error as Error).message, 'GET', path);
    }
  }

  countAllocations(licenseType: LicenseType, filter?: string): Promise<number> {
    return this.getJson(`/license/${ACCESS_TYPE_ROUTE[licenseType]}/count`, countSchema, {
      filter,
    });
  }

  /**
   * Frees one allocation. 404 means it is already gone; a repeat after a lost answer is safe
   * because the second DELETE then sees 404.
   */
  async deleteAllocation(licenseType: LicenseType, id: string): Promise<DeleteOutcome> {
    const path = `/license/${ACCESS_TYPE_ROUTE[licenseType]}/${encodeURIComponent(id)}`;
    let retried = false;
    const response = await this.send({ method: 'DELETE', path }, () => {
      retried = true;
    });
    if (response.status === 404) return { outcome: 'alreadyGone', afterRetry: retried };
    if (response.status >= 200 && response.status < 300) return { outcome: 'deleted' };
    throw this.httpError(response, 'DELETE', path);
  }

  /**
   * Full user records for the given ids, `batchSize` ids per request (never one request per user),
   * a few batches in flight. Records that do not match the schema are returned in `invalid`.
   */
  async getUsersByIds(
    ids: readonly string[],
    options: { batchSize?: number; concurrency?: number } = {},
  ): Promise<{
    users: Map<string, QrsUser>;
    invalid: Array<{ id: string | null; problem: string }>;
  }> {
    const unique = [...new Set(ids)];
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_USER_BATCH_SIZE);
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += batchSize) batches.push(unique.slice(i, i + batchSize));
    const limit = pLimit(Math.max(1, options.concurrency ?? 4));
    const pages = await Promise.all(
      batches.map((batch) => limit(() => this.getUsersRaw(idIn(batch)))),
    );
    const users = new Map<string, QrsUser>();
    const invalid: Array<{ id: string | null; problem: string }> = [];
    for (const page of pages) {
      for (const [index, raw] of page.entries()) {
        const parsed = userSchema.safeParse(raw);
        if (parsed.success) users.set(parsed.data.id, parsed.data);
        else
          invalid.push({ id: rawId(raw), problem: describeIssues(parsed.error, `user[${index}]`) });
      }
    }
    return { users, invalid };
  }

  /** Users matching a QRS filter, e.g. `userDirectory eq 'LAB' and tags.name eq 'x'`. */
  async getUsersByFilter(filter: string): Promise<QrsUser[]> {
    const path = '/user/full';
    const page = await this.getUsersRaw(filter);
    return page.map((raw, index) => {
      const parsed = userSchema.safeParse(raw);
      if (!parsed.success)
        throw new QrsResponseError(describeIssues(parsed.error, `[${index}]`), 'GET', path);
      return parsed.data;
    });
  }

  countUsers(filter?: string): Promise<number> {
    return this.getJson('/user/count', countSchema, { filter });
  }

  /**
   * One user record (`GET /qrs/user/{id}`). The release path never reads users one at a time
   * (see `getUsersByIds`); the benchmark's reference run (Butler's way) does.
   */
  getUser(id: string): Promise<QrsUser> {
    return this.getJson(`/user/${encodeURIComponent(id)}`, userSchema);
  }

  private async getUsersRaw(filter: string): Promise<unknown[]> {
    const body = await this.requestJson({ method: 'GET', path: '/user/full', query: { filter } });
    if (!Array.isArray(body))
      throw new QrsResponseError('expected a JSON array of users', 'GET', '/user/full');
    return body;
  }

  private async getJson<T>(
    path: string,
    schema: z.ZodType<T>,
    query?: Record<string, string | undefined>,
  ): Promise<T> {
    const body = await this.requestJson({ method: 'GET', path, ...(query ? { query } : {}) });
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new QrsResponseError(describeIssues(parsed.error), 'GET', path);
    return parsed.data;
  }

  private async requestJson(spec: RequestSpec): Promise<unknown> {
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

  /** Sends with retries; resolves with any HTTP response (status judged by the caller). */
  private async send(spec: RequestSpec, onRetry?: () => void): Promise<AxiosResponse<string>> {
    const retryable = spec.method === 'DELETE' ? DELETE_RETRYABLE_STATUS : RETRYABLE_STATUS;
    for (let attempt = 0; ; attempt++) {
      let outcome: { response: AxiosResponse<string> } | { error: QrsError };
      try {
        outcome = { response: await this.sendOnce(spec) };
      } catch (error) {
        outcome = { error: this.toQrsError(error, spec) };
      }
      const canRetry = attempt < this.retry.maxRetries;
      if ('response' in outcome) {
        const { response } = outcome;
        if (!canRetry || !retryable.has(response.status)) return response;
        const delay =
          retryAfterMs(response.headers['retry-after'], this.retry) ??
          backoffDelayMs(attempt + 1, this.retry, this.random);
        this.noteRetry(spec, attempt, delay, `HTTP ${response.status}`);
        await this.sleep(delay);
      } else {
        const { error } = outcome;
        if (
          !canRetry ||
          !(error instanceof QrsNetworkError && RETRYABLE_NETWORK_CODES.has(error.code))
        )
          throw error;
        const delay = backoffDelayMs(attempt + 1, this.retry, this.random);
        this.noteRetry(spec, attempt, delay, error.code);
        await this.sleep(delay);
      }
      onRetry?.();
    }
  }

  private noteRetry(spec: RequestSpec, attempt: number, delayMs: number, reason: string): void {
    this.stats.retries++;
    this.logger?.warn('QRS request will be retried', {
      method: spec.method,
      path: spec.path,
      attempt: attempt + 1,
      delayMs,
      reason,
    });
  }

  private async sendOnce(spec: RequestSpec): Promise<AxiosResponse<string>> {
    const xrfkey = newXrfkey();
    const params: Record<string, string | number> = { xrfkey };
    for (const [name, value] of Object.entries(spec.query ?? {}))
      if (value !== undefined) params[name] = value;
    this.stats.requests++;
    const response = await this.inFlight(() =>
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
        // One deadline for the whole attempt: a TLS handshake that never completes counts too.
        signal: AbortSignal.timeout(this.timeoutMs),
      }),
    );
    const date = response.headers.date;
    if (typeof date === 'string') this.lastResponseDate = date;
    this.stats.bytesReceived +=
      typeof response.data === 'string' ? Buffer.byteLength(response.data) : 0;
    this.logger?.debug('QRS response', {
      method: spec.method,
      path: spec.path,
      status: response.status,
    });
    return response;
  }

  private httpError(
    response: AxiosResponse<string>,
    method: QrsMethod,
    path: string,
  ): QrsHttpError {
    return new QrsHttpError(response.status, method, path, statusHint(response));
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
      return new QrsTimeoutError(this.timeoutMs, method, path);
    }
    if (/maxContentLength/i.test(message)) {
      return new QrsResponseError(
        `response larger than the configured maximum of ${this.maxResponseBytes} bytes: QRS sent far more than a run expects (check the server-side filter and the site's size)`,
        method,
        path,
      );
    }
    const refused = serverCertificateErrorOf(error);
    if (refused) return new QrsTlsError(refused.code, refused.advice, method, path);
    const tls = tlsAdvice(code, message);
    if (tls) return new QrsTlsError(code, tls, method, path);
    const certificate =
      code === 'ECONNRESET' || code === 'EPIPE' ? this.clientCertificateProblem() : undefined;
    const advice = certificate
      ? `QRS may have rejected the client certificate: ${certificate}`
      : networkAdvice(code, this.baseUrl);
    return new QrsNetworkError(code || 'UNKNOWN', advice, method, path);
  }
}

/**
 * A server that refuses a client certificate may just close the connection (no TLS alert): then
 * the certificate itself is the best clue. Reads only public material (certificate and CA).
 */
function clientCertificateCheck(tls: QrsTlsMaterial): () => string | undefined {
  let cert: X509Certificate;
  let ca: X509Certificate | undefined;
  try {
    cert = new X509Certificate(tls.cert);
  } catch {
    return () => undefined;
  }
  try {
    ca = new X509Certificate(tls.ca);
  } catch {
    ca = undefined;
  }
  return () => {
    const now = Date.now();
    const validTo = Date.parse(cert.validTo);
    const validFrom = Date.parse(cert.validFrom);
    if (validTo < now)
      return `the client certificate expired on ${new Date(validTo).toISOString().slice(0, 10)}: export a new one from the QMC (client.pem and client_key.pem)`;
    if (validFrom > now)
      return `the client certificate is not valid before ${new Date(validFrom).toISOString()}: check this machine's clock`;
    if (ca && !(cert.checkIssued(ca) && cert.verify(ca.publicKey)))
      return "the client certificate is not issued by the configured CA (root.pem): use client.pem, client_key.pem and root.pem from the same site's QMC export";
    return undefined;
  };
}

function rawId(raw: unknown): string | null {
  return typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
    ? (raw as { id: string }).id
    : null;
}

function errorCode(error: unknown): string {
  const own = (error as { code?: unknown })?.code;
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof own === 'string' && own !== 'ERR_BAD_RESPONSE' && own !== 'ERR_BAD_REQUEST'
    ? own
    : typeof cause === 'string'
      ? cause
      : typeof own === 'string'
        ? own
        : '';
}

function statusHint(response: AxiosResponse<string>): string | undefined {
  const body = typeof response.data === 'string' ? response.data.slice(0, 200) : '';
  switch (response.status) {
    case 400:
      return 'bad request (a filter QRS does not understand?)';
    case 401:
    case 403:
      return /xsrf|xrf/i.test(body)
        ? 'XSRF prevention check failed (xrfkey): every request carries the same key as the xrfkey parameter and the X-Qlik-Xrfkey header, so a proxy or load balancer in front of QRS probably drops or rewrites one of them'
        : 'access denied: check that the certificate is the one exported from this site and that the configured QRS user (X-Qlik-User) may read licenses';
    case 404:
      return 'not found';
    case 429:
      return 'too many requests, still after retries';
    default:
      return response.status >= 500
        ? 'the Repository Service reported an error (see its logs)'
        : undefined;
  }
}

const TLS_ADVICE: Array<[RegExp, string]> = [
  [
    /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT/,
    "the server's certificate is not signed by the configured CA: use root.pem exported from this site's QMC (wrong CA?)",
  ],
  [
    /ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH|altnames/i,
    "the server's certificate does not name this host: set `servername` to the name in the certificate, on a Qlik node its name in Host.cfg (name mismatch)",
  ],
  [
    /CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/,
    "the server's certificate is expired or not yet valid: renew it on the Qlik server",
  ],
  [
    /ALERT_CERTIFICATE_EXPIRED|certificate expired/i,
    'QRS rejected the client certificate as expired: export a new one from the QMC',
  ],
  [
    /ALERT_UNKNOWN_CA|ALERT_BAD_CERTIFICATE|ALERT_CERTIFICATE_REQUIRED|ALERT_HANDSHAKE_FAILURE|ALERT_CERTIFICATE_UNKNOWN|alert (bad|unknown|certificate)/i,
    "QRS rejected the client certificate: use client.pem and client_key.pem exported from this site's QMC, not expired, key matching the certificate",
  ],
  [
    /KEY_VALUES_MISMATCH|key values mismatch/i,
    'the client key does not match the client certificate',
  ],
  [
    /NO_START_LINE|PEM|bad decrypt|DECODER/i,
    'a certificate or key is not valid PEM (check the files or SSM parameters)',
  ],
];

function tlsAdvice(code: string, message: string): string | undefined {
  const text = `${code} ${message}`;
  for (const [pattern, advice] of TLS_ADVICE) if (pattern.test(text)) return advice;
  if (/ERR_SSL|ERR_TLS|EPROTO|CERT/.test(code))
    return 'check the client certificate, key and CA of this site';
  return undefined;
}

function networkAdvice(code: string, baseUrl: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing listens at ${baseUrl}: check the host and port (QRS is 4242) and that the Repository Service runs`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name in ${baseUrl} does not resolve: check the host name and DNS (in AWS: the VPC's resolver)`;
    case 'ECONNRESET':
    case 'EPIPE':
      return "the connection was closed during TLS or the request: QRS may have rejected the client certificate (use client.pem and client_key.pem exported from this site's QMC, not expired), or a firewall or proxy dropped the connection";
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host: check the VPN / peering routes and security groups';
    default:
      return 'check the network path to QRS';
  }
}
