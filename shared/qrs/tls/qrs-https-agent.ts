/**
 * The HTTPS agent of the QRS client. It differs from node's own in one decision only: a server
 * certificate that OpenSSL refuses with INVALID_PURPOSE alone is accepted when the in-code check
 * of qlik-server-certificate.ts passes (Qlik's own certificates, docs/certificates.md). Every
 * other result is node's: accepted when node accepts, refused when node refuses.
 *
 * Why this is safe:
 * - The handshake runs with OpenSSL's verdict not enforced, so that the decision is made here,
 *   but the socket is handed to the HTTP request only after the decision (node's
 *   `createConnection` callback form). A refused server never receives a byte of a request: no
 *   path, no xrfkey, no X-Qlik-User. The handshake itself still sends the client certificate,
 *   exactly as with node's own verification (TLS sends it before the client judges the server).
 * - Accepted without a further check: only `socket.authorized` (OpenSSL and node's host name
 *   check both passed). Accepted after the in-code check: only the code INVALID_PURPOSE. OpenSSL
 *   reports one code (the last problem it met), so INVALID_PURPOSE may hide an unknown CA or a
 *   wrong name: the in-code check therefore verifies chain, signatures, dates, CA flags and name
 *   from scratch, trusting nothing OpenSSL did not report.
 * - TLS sessions are not cached (`maxCachedSessions: 0`): a resumed session skips node's name
 *   check, and a session from a refused connection must never be resumed.
 * - Node's agent does not count sockets still in their handshake against `maxSockets`; the QRS
 *   client bounds the requests it has in flight itself.
 */
import type { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { parseCertificates } from '#shared/certificates/pem-set.ts';
import { StewardError } from '#shared/errors.ts';
import {
  type CertificateVerdict,
  checkServerCertificate,
  keySizeProblem,
} from './qlik-server-certificate.ts';

/** The server certificate was refused; `advice` names the certificate and the fix. */
export class ServerCertificateError extends StewardError {
  readonly code: string;
  readonly advice: string;

  constructor(code: string, advice: string) {
    super(`server certificate refused (${code}): ${advice}`);
    this.name = 'ServerCertificateError';
    this.code = code;
    this.advice = advice;
  }
}

/** The `ServerCertificateError` behind an error (axios keeps the socket's error as `cause`). */
export function serverCertificateErrorOf(error: unknown): ServerCertificateError | undefined {
  if (error instanceof ServerCertificateError) return error;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof ServerCertificateError ? cause : undefined;
}

export interface QrsHttpsAgentOptions extends https.AgentOptions {
  /** The site's root.pem: the only CA trusted, by OpenSSL and by the in-code check. */
  ca: string;
  /** A handshake that has not finished by then fails (ETIMEDOUT). */
  handshakeTimeoutMs: number;
  now?: () => Date;
}

type Callback = (error: Error | null, stream: Duplex) => void;

export class QrsHttpsAgent extends https.Agent {
  private readonly trusted: X509Certificate[];
  /** The site's client certificate: never accepted as the server's. */
  private readonly clientFingerprints: string[];
  private readonly handshakeTimeoutMs: number;
  private readonly now: () => Date;
  /** Sockets still in their handshake: not yet the agent's, closed by `destroy()`. */
  private readonly handshaking = new Set<TLSSocket>();

  constructor(options: QrsHttpsAgentOptions) {
    const { handshakeTimeoutMs, now, ...agentOptions } = options;
    super({ ...agentOptions, rejectUnauthorized: true, maxCachedSessions: 0 });
    this.trusted = parseCertificates(options.ca);
    this.clientFingerprints = parseCertificates(
      typeof options.cert === 'string' ? options.cert : '',
    ).map((certificate) => certificate.fingerprint256);
    this.handshakeTimeoutMs = handshakeTimeoutMs;
    this.now = now ?? (() => new Date());
  }

  override createConnection(options: https.RequestOptions, callback?: Callback): undefined {
    // Node's check: servername, else host (the https agent leaves servername empty for an IP).
    const hostname = options.servername || options.host || 'localhost';
    const socket = super.createConnection({
      ...options,
      rejectUnauthorized: false,
    }) as TLSSocket;
    this.handshaking.add(socket);
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      this.handshaking.delete(socket);
      socket.setTimeout(0);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (error) {
        socket.destroy();
        callback?.(error, socket);
      } else {
        callback?.(null, socket);
      }
    };
    const onError = (error: Error) => settle(error);
    const onClose = () =>
      settle(
        Object.assign(new Error('the connection closed during the TLS handshake'), {
          code: 'ECONNRESET',
        }),
      );
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.setTimeout(this.handshakeTimeoutMs, () =>
      settle(
        Object.assign(new Error(`TLS handshake timeout after ${this.handshakeTimeoutMs} ms`), {
          code: 'ETIMEDOUT',
        }),
      ),
    );
    socket.once('secureConnect', () => settle(this.refusal(socket, hostname)));
    return undefined;
  }

  override destroy(): void {
    for (const socket of this.handshaking) socket.destroy();
    this.handshaking.clear();
    super.destroy();
  }

  /** `null` to accept the connection, else the error that refuses it. */
  private refusal(socket: TLSSocket, hostname: string): ServerCertificateError | null {
    if (socket.authorized) {
      // The same RSA minimum as the in-code check: both paths accept the same keys.
      const weak = keySizeProblem(socket.getPeerCertificate(true));
      return weak && !weak.ok ? new ServerCertificateError(weak.code, weak.advice) : null;
    }
    const code = String(socket.authorizationError ?? 'UNKNOWN');
    const verdict: CertificateVerdict = checkServerCertificate({
      peer: socket.getPeerCertificate(true),
      trusted: this.trusted,
      hostname,
      now: this.now(),
      purposeOverride: code === 'INVALID_PURPOSE',
      clientFingerprints: this.clientFingerprints,
    });
    if (code === 'INVALID_PURPOSE' && verdict.ok) return null;
    // Refused as node refuses it; the in-code check only finds the words for what is wrong.
    return verdict.ok
      ? new ServerCertificateError(
          code,
          'OpenSSL refused the server certificate: check root.pem and the certificates on the Qlik server',
        )
      : new ServerCertificateError(verdict.code, verdict.advice);
  }
}
