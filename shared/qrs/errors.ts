/**
 * Typed QRS errors. Every failure that leaves the QRS client is one of these, never a bare axios
 * error, and none of them carries certificate or key material or a whole response body.
 */
import { StewardError } from '#shared/errors.ts';

export type QrsMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Base class: what was called, for the admin reading the message. */
export class QrsError extends StewardError {
  readonly method: QrsMethod;
  readonly path: string;

  constructor(message: string, method: QrsMethod, path: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QrsError';
    this.method = method;
    this.path = path;
  }
}

/** QRS answered with a status outside 2xx. */
export class QrsHttpError extends QrsError {
  readonly status: number;

  constructor(status: number, method: QrsMethod, path: string, hint?: string) {
    super(`QRS ${method} ${path} answered HTTP ${status}${hint ? `: ${hint}` : ''}`, method, path);
    this.name = 'QrsHttpError';
    this.status = status;
  }
}

/** The request did not complete within the configured time (any stage: TCP, TLS, response). */
export class QrsTimeoutError extends QrsError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number, method: QrsMethod, path: string) {
    super(
      `QRS ${method} ${path} did not complete within ${timeoutMs} ms: check that the host and port are reachable from here (routing, security groups, firewall) and that the Repository Service is running`,
      method,
      path,
    );
    this.name = 'QrsTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The TLS handshake failed: the message says which side to check. */
export class QrsTlsError extends QrsError {
  readonly code: string;

  constructor(code: string, advice: string, method: QrsMethod, path: string) {
    super(`TLS with QRS failed on ${method} ${path} (${code}): ${advice}`, method, path);
    this.name = 'QrsTlsError';
    this.code = code;
  }
}

/** Could not reach QRS at all: refused, DNS, reset. */
export class QrsNetworkError extends QrsError {
  readonly code: string;

  constructor(code: string, advice: string, method: QrsMethod, path: string) {
    super(`Could not reach QRS for ${method} ${path} (${code}): ${advice}`, method, path);
    this.name = 'QrsNetworkError';
    this.code = code;
  }
}

/** QRS answered 2xx but the body is not what the API documents. */
export class QrsResponseError extends QrsError {
  constructor(detail: string, method: QrsMethod, path: string) {
    super(`QRS ${method} ${path} returned an unexpected response: ${detail}`, method, path);
    this.name = 'QrsResponseError';
  }
}
