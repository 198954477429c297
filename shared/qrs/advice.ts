/**
 * What a failed QRS request means and what to do about it: advice for HTTP statuses, TLS and
 * network errors, and a look at the client certificate when QRS hangs up (docs/faults.md lists
 * every case with what the user sees).
 */
import type { AxiosResponse } from 'axios';
import { inspectPemSet, type PemProblemCode } from '#shared/certificates/pem-set.ts';
import type { QrsTlsMaterial } from './tls-material.ts';

/** What to do about each client-certificate problem QRS may hang up on. */
const CERTIFICATE_ADVICE: Partial<Record<PemProblemCode, string>> = {
  expired: 'export a new one from the QMC (client.pem and client_key.pem)',
  'not-yet-valid': "check this machine's clock",
  'not-issued-by-ca': "use client.pem, client_key.pem and root.pem from the same site's QMC export",
};

/**
 * A server that refuses a client certificate may just close the connection (no TLS alert): then
 * the certificate itself is the best clue. Looks only at public material (certificate and CA),
 * at the time of the failure.
 */
export function clientCertificateAdvice(tls: QrsTlsMaterial): () => string | undefined {
  return () => {
    const { problems } = inspectPemSet(
      { cert: tls.cert, ca: tls.ca },
      { now: new Date(), name: (kind) => (kind === 'ca' ? 'root.pem' : kind) },
    );
    for (const problem of problems) {
      const advice = problem.kind === 'cert' ? CERTIFICATE_ADVICE[problem.code] : undefined;
      if (advice) return `${problem.message}: ${advice}`;
    }
    return undefined;
  };
}

export function errorCode(error: unknown): string {
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

export function statusHint(response: AxiosResponse<string>): string | undefined {
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

export function tlsAdvice(code: string, message: string): string | undefined {
  const text = `${code} ${message}`;
  for (const [pattern, advice] of TLS_ADVICE) if (pattern.test(text)) return advice;
  if (/ERR_SSL|ERR_TLS|EPROTO|CERT/.test(code))
    return 'check the client certificate, key and CA of this site';
  return undefined;
}

export function networkAdvice(code: string, baseUrl: string): string {
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
