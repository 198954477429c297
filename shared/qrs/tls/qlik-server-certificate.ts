/**
 * Verifies a QRS server certificate in code, for the one case OpenSSL gets wrong for Qlik sites
 * (docs/certificates.md): certificates that Qlik Sense creates may carry an extended key usage that
 * OpenSSL reads as "not for a TLS server" and refuses with INVALID_PURPOSE, although the chain,
 * the dates and the name are all right. This module checks exactly those (everything except the
 * purpose) so that the agent (qrs-https-agent.ts) can accept such a certificate without switching
 * any other check off, and it names the certificate and the fix when a check fails.
 *
 * What is checked, leaf first:
 * - each certificate is signed by the next one (signature verified with the issuer's public key,
 *   issuer name and key identifiers matched, the issuer allowed to sign certificates);
 * - the chain ends at a certificate from the site's root.pem; certificates the server sends are
 *   used only as intermediates, never trusted on their own;
 * - every issuer is a CA (basicConstraints), every certificate (root.pem's included) is within its
 *   validity dates, RSA keys have at least 2048 bits;
 * - the host name (`servername`, else `host`) matches the certificate, by node's own
 *   `tls.checkServerIdentity` (subject alternative names; the CN when there are none);
 * - for the override itself (`purposeOverride`): Qlik's layout, the server certificate issued by a
 *   root.pem certificate, and no unknown critical extension (OpenSSL's last error may hide both);
 *   and a server certificate indeed: not a CA, a key usage (when present) that allows a TLS server
 *   (digitalSignature or keyEncipherment), not the site's own client certificate. OpenSSL's
 *   INVALID_PURPOSE covers all of those, not only Qlik's extended key usage.
 *
 * The RSA minimum (`keySizeProblem`) applies to certificates OpenSSL accepted as well, so that
 * both paths accept the same keys.
 */
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type DetailedPeerCertificate } from 'node:tls';
import { issuedBy } from '#shared/certificates/pem-set.ts';
import { claimsCa, criticalExtensions, keyUsageOf } from './critical-extensions.ts';

export type CertificateVerdict = { ok: true } | { ok: false; code: string; advice: string };

/** Longest chain accepted (server certificate, intermediates, root). */
const MAX_DEPTH = 8;
const MIN_RSA_BITS = 2048;

/** The certificates the server presented, leaf first (node links each one to its issuer). */
function presentedChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = peer;
  while (current?.raw && !seen.has(current.fingerprint256) && chain.length <= MAX_DEPTH) {
    seen.add(current.fingerprint256);
    chain.push(new X509Certificate(current.raw));
    current = current.issuerCertificate;
  }
  return chain;
}

export interface ServerCertificateInput {
  /** `socket.getPeerCertificate(true)`. */
  peer: DetailedPeerCertificate;
  /** The site's root.pem, parsed. */
  trusted: readonly X509Certificate[];
  /** `servername`, else the host the client connected to. */
  hostname: string;
  now: Date;
  /**
   * The check that lets OpenSSL's INVALID_PURPOSE be overridden: also require Qlik's layout (the
   * server certificate issued directly by a root.pem certificate, so no path length to check) and
   * no critical extension but the four known ones, since OpenSSL's last error may hide those.
   */
  purposeOverride?: boolean;
  /** SHA-256 fingerprints of the site's client certificate(s): never accepted as the server's. */
  clientFingerprints?: readonly string[];
}

/** basicConstraints, keyUsage, extKeyUsage, subjectAltName: what this check reads itself. */
const KNOWN_CRITICAL = new Set(['2.5.29.19', '2.5.29.15', '2.5.29.37', '2.5.29.17']);

/**
 * Checks chain, dates, CA flags and name; the purpose (extended key usage) is not checked. The
 * first failure is reported: trust before dates before name, as OpenSSL and node order them.
 */
export function checkServerCertificate(input: ServerCertificateInput): CertificateVerdict {
  const [leaf, ...presented] = presentedChain(input.peer);
  if (!leaf)
    return refuse(
      'NO_PEER_CERTIFICATE',
      'the server sent no certificate: is this QRS (port 4242)?',
    );
  const chain = chainToTrusted(leaf, presented, input.trusted);
  if ('refused' in chain) return chain.refused;
  for (const [index, certificate] of chain.certificates.entries()) {
    const problem = certificateProblem(certificate, index === 0, input.now);
    if (problem) return problem;
  }
  const identity = checkServerIdentity(input.hostname, input.peer);
  if (identity) return nameMismatch(input.peer, input.hostname);
  return input.purposeOverride
    ? (overrideProblem(chain.certificates, input.clientFingerprints ?? []) ?? { ok: true })
    : { ok: true };
}

/**
 * An RSA key under 2048 bits anywhere in the chain the server presented (node links the verified
 * chain up to the root): the check for connections OpenSSL accepted, which at node's default
 * security level allows 1024-bit keys.
 */
export function keySizeProblem(peer: DetailedPeerCertificate): CertificateVerdict | undefined {
  for (const [index, certificate] of presentedChain(peer).entries()) {
    const problem = weakKey(certificate, describe(certificate, index === 0));
    if (problem) return problem;
  }
  return undefined;
}

/** What keeps a chain that passed every other check from overriding INVALID_PURPOSE. */
function overrideProblem(
  chain: readonly X509Certificate[],
  clientFingerprints: readonly string[],
): CertificateVerdict | undefined {
  const [leaf] = chain;
  if (leaf) {
    const problem = notAServerCertificate(leaf, clientFingerprints);
    if (problem) return problem;
  }
  if (chain.length > 2)
    return refuse(
      'INVALID_PURPOSE',
      `the server's certificate is refused for its purpose and comes through ${chain.length - 2} intermediate CA(s): the in-code check accepts only Qlik's layout (the server certificate issued by a root.pem certificate)`,
    );
  for (const certificate of chain) {
    const critical = criticalExtensions(certificate);
    const unknown = critical?.filter((oid) => !KNOWN_CRITICAL.has(oid));
    if (!critical || (unknown && unknown.length > 0))
      return refuse(
        'INVALID_PURPOSE',
        `the certificate ${name(certificate.subject)} is refused for its purpose and ${critical ? `has critical extension(s) ${unknown?.join(', ')} that are not checked` : 'cannot be read'}: not accepted`,
      );
  }
  return undefined;
}

/** A leaf OpenSSL refused for its purpose that is no TLS server certificate at all. */
function notAServerCertificate(
  leaf: X509Certificate,
  clientFingerprints: readonly string[],
): CertificateVerdict | undefined {
  const which = `the server's certificate ${name(leaf.subject)}`;
  if (clientFingerprints.includes(leaf.fingerprint256))
    return refuse(
      'SERVER_IS_CLIENT_CERTIFICATE',
      `${which} is this site's own client certificate (client.pem), not the QRS server's: check host and port (is something relaying the connection back?)`,
    );
  if (leaf.ca || claimsCa(leaf) === true)
    return refuse(
      'EE_IS_CA',
      `${which} is a CA certificate (basicConstraints CA:TRUE), not a server certificate: not accepted`,
    );
  const usage = keyUsageOf(leaf);
  if (usage === undefined)
    return refuse('INVALID_PURPOSE', `${which} has a key usage that cannot be read: not accepted`);
  if (usage && !usage.digitalSignature && !usage.keyEncipherment)
    return refuse(
      'EE_KEY_USAGE',
      `${which} has a key usage that does not allow a TLS server (neither digitalSignature nor keyEncipherment): not accepted`,
    );
  return undefined;
}

/** The chain from the leaf up to a root.pem certificate, each link's signature verified. */
function chainToTrusted(
  leaf: X509Certificate,
  presented: readonly X509Certificate[],
  trusted: readonly X509Certificate[],
): { certificates: X509Certificate[] } | { refused: CertificateVerdict } {
  const certificates = [leaf];
  let current = leaf;
  while (certificates.length <= MAX_DEPTH) {
    const anchor = trusted.find((candidate) => issuedBy(current, candidate));
    if (anchor) {
      if (anchor.fingerprint256 !== current.fingerprint256) certificates.push(anchor);
      return { certificates };
    }
    const next = presented.find(
      (candidate) =>
        !certificates.some((seen) => seen.fingerprint256 === candidate.fingerprint256) &&
        issuedBy(current, candidate),
    );
    if (!next) return { refused: foreign(leaf, current, trusted) };
    certificates.push(next);
    current = next;
  }
  return {
    refused: refuse(
      'CERT_CHAIN_TOO_LONG',
      `the server's certificate chain is longer than ${MAX_DEPTH} certificates`,
    ),
  };
}

function certificateProblem(
  certificate: X509Certificate,
  isLeaf: boolean,
  now: Date,
): CertificateVerdict | undefined {
  const which = describe(certificate, isLeaf);
  if (!isLeaf && !certificate.ca)
    return refuse('INVALID_CA', `${which} is not a CA (basicConstraints) but signed the next one`);
  const validTo = Date.parse(certificate.validTo);
  const validFrom = Date.parse(certificate.validFrom);
  if (validTo < now.getTime())
    return refuse(
      'CERT_HAS_EXPIRED',
      `${which} expired on ${day(validTo)}: ${isLeaf ? 'renew the certificates on the Qlik server (QMC, or the Qlik Sense Repository Service recreates them), then' : 'the site needs new certificates;'} export root.pem again`,
    );
  if (validFrom > now.getTime())
    return refuse(
      'CERT_NOT_YET_VALID',
      `${which} is not valid before ${new Date(validFrom).toISOString()}: check the clock of this machine and of the Qlik server`,
    );
  return weakKey(certificate, which);
}

function describe(certificate: X509Certificate, isLeaf: boolean): string {
  return isLeaf
    ? `the server's certificate ${name(certificate.subject)}`
    : `the CA certificate ${name(certificate.subject)}`;
}

function weakKey(certificate: X509Certificate, which: string): CertificateVerdict | undefined {
  const details = certificate.publicKey.asymmetricKeyDetails;
  if (
    certificate.publicKey.asymmetricKeyType === 'rsa' &&
    (details?.modulusLength ?? 0) < MIN_RSA_BITS
  )
    return refuse(
      'EE_KEY_TOO_SMALL',
      `${which} has an RSA key of ${details?.modulusLength} bits (at least ${MIN_RSA_BITS} needed)`,
    );
  return undefined;
}

function foreign(
  leaf: X509Certificate,
  unanchored: X509Certificate,
  trusted: readonly X509Certificate[],
): CertificateVerdict {
  const holds =
    trusted.length === 0
      ? 'root.pem holds no certificate'
      : `root.pem holds ${trusted.map((ca) => name(ca.subject)).join('; ')}`;
  return refuse(
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    `the server's certificate ${name(leaf.subject)} is not signed by the configured CA: it is issued by ${name(unanchored.issuer)}, and ${holds}. Use root.pem exported from this site's QMC (wrong CA?)`,
  );
}

/** Advice for a name mismatch: the names the certificate holds and the setting that fixes it. */
export function nameMismatch(peer: DetailedPeerCertificate, hostname: string): CertificateVerdict {
  const names = certificateNames(peer);
  const suggestion = names.dns[0] ?? names.cn;
  const listed = [
    names.cn ? `CN=${names.cn}` : 'no CN',
    names.alt.length > 0 ? names.alt.join(', ') : 'no subject alternative names',
  ].join(', ');
  return refuse(
    'ERR_TLS_CERT_ALTNAME_INVALID',
    `the server's certificate does not name this host "${hostname}": it names ${listed}. ${suggestion ? `Set \`servername: ${suggestion}\` in this site's qrs settings (on a Qlik node the name in Host.cfg) and keep \`host\` as the address you reach it by` : 'Set `servername` to a name in the certificate'} (name mismatch)`,
  );
}

function certificateNames(peer: DetailedPeerCertificate): {
  cn: string | undefined;
  alt: string[];
  dns: string[];
} {
  const cnValue = peer.subject?.CN;
  const cn = Array.isArray(cnValue) ? cnValue[0] : cnValue;
  const alt = (peer.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const dns = alt.filter((entry) => entry.startsWith('DNS:')).map((entry) => entry.slice(4));
  return { cn, alt, dns };
}

/** `CN=x, O=y` from X509Certificate's one-attribute-per-line form. */
function name(distinguished: string): string {
  return distinguished.split('\n').filter(Boolean).join(', ');
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function refuse(code: string, advice: string): CertificateVerdict {
  return { ok: false, code, advice };
}
