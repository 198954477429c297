/**
 * What is wrong with a site's PEM set (client certificate, key, CA), found by one set of checks
 * that `certs put`, `doctor`, the Lambda chain and the QRS client's failure advice share. Each
 * problem has a code, so a caller can pick the checks it needs and add its own advice; the
 * message names the file or parameter (as the caller calls it), never its content.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { CERTIFICATE_FILES, type CertificateKind } from './sources.ts';

export type PemSet = Readonly<Record<CertificateKind, string>>;

export type PemProblemCode =
  /** No `-----BEGIN …-----` line of the expected kind. */
  | 'not-pem'
  /** PEM lines, but nothing that parses. */
  | 'unreadable'
  | 'encrypted-key'
  | 'key-mismatch'
  | 'not-a-ca'
  | 'expired'
  | 'not-yet-valid'
  | 'not-issued-by-ca';

export interface PemProblem {
  kind: CertificateKind;
  code: PemProblemCode;
  message: string;
}

export interface PemSetInspection {
  /** The client certificate (the first in client.pem), when it parses. */
  cert?: X509Certificate;
  key?: KeyObject;
  /** Every certificate in root.pem that parses. */
  authorities: X509Certificate[];
  /** In check order: format of each text, key against certificate, then (with `now`) the rest. */
  problems: PemProblem[];
}

export interface InspectOptions {
  /** How messages name each text (default: the QMC's file name). */
  name?: (kind: CertificateKind) => string;
  /** Also check validity dates at this time, that root.pem holds CAs and issued client.pem. */
  now?: Date;
}

const CERTIFICATE_LINE = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY_LINE = /-----BEGIN (RSA |EC )?PRIVATE KEY-----/;

/** Whether a text holds a PEM certificate block at all. */
export function hasPemCertificate(text: string): boolean {
  return CERTIFICATE_LINE.test(text);
}

/** Every certificate in a PEM text that parses (root.pem may hold several). */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}

export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** Checks the texts given (a missing one is not checked) and reports every problem found. */
export function inspectPemSet(
  pems: Partial<PemSet>,
  options: InspectOptions = {},
): PemSetInspection {
  const name = options.name ?? ((kind: CertificateKind) => CERTIFICATE_FILES[kind].file);
  const problems: PemProblem[] = [];
  const problem = (kind: CertificateKind, code: PemProblemCode, message: string) =>
    problems.push({ kind, code, message });

  const certificates = (kind: 'cert' | 'ca'): X509Certificate[] => {
    const text = pems[kind];
    if (text === undefined) return [];
    if (!hasPemCertificate(text)) {
      problem(
        kind,
        'not-pem',
        `${name(kind)} is not a PEM certificate (no -----BEGIN CERTIFICATE----- line)`,
      );
      return [];
    }
    const parsed = parseCertificates(text);
    if (parsed.length === 0)
      problem(kind, 'unreadable', `${name(kind)} is not a valid PEM certificate`);
    return parsed;
  };
  const [cert] = certificates('cert');
  const authorities = certificates('ca');
  const key = pems.key === undefined ? undefined : privateKey(pems.key, name('key'), problem);
  if (cert && key && !cert.checkPrivateKey(key))
    problem(
      'key',
      'key-mismatch',
      `${name('key')} does not belong to the certificate in ${name('cert')}`,
    );

  if (options.now) {
    const now = options.now.getTime();
    if (cert) datesProblem(cert, now, 'the client certificate', 'cert', problem);
    for (const ca of authorities) {
      if (!ca.ca)
        problem(
          'ca',
          'not-a-ca',
          `${name('ca')} holds ${subjectOf(ca)}, which is not a CA certificate`,
        );
      datesProblem(ca, now, `the CA certificate ${subjectOf(ca)}`, 'ca', problem);
    }
    if (cert && authorities.length > 0 && !authorities.some((ca) => issuedBy(cert, ca)))
      problem(
        'cert',
        'not-issued-by-ca',
        `the client certificate is not issued by the configured CA (${name('ca')})`,
      );
  }
  return { ...(cert ? { cert } : {}), ...(key ? { key } : {}), authorities, problems };
}

type Report = (kind: CertificateKind, code: PemProblemCode, message: string) => void;

function privateKey(text: string, name: string, problem: Report): KeyObject | undefined {
  if (/ENCRYPTED/.test(text)) {
    problem(
      'key',
      'encrypted-key',
      `${name} is an encrypted key: export the certificates from the QMC again without a password`,
    );
    return undefined;
  }
  if (!PRIVATE_KEY_LINE.test(text)) {
    problem(
      'key',
      'not-pem',
      `${name} is not a PEM private key (no -----BEGIN ... PRIVATE KEY----- line)`,
    );
    return undefined;
  }
  try {
    return createPrivateKey(text);
  } catch {
    problem('key', 'unreadable', `${name} is not a valid PEM private key`);
    return undefined;
  }
}

function datesProblem(
  cert: X509Certificate,
  now: number,
  what: string,
  kind: CertificateKind,
  problem: Report,
): void {
  if (Date.parse(cert.validTo) < now)
    problem(kind, 'expired', `${what} expired on ${dayOf(cert.validTo)}`);
  else if (Date.parse(cert.validFrom) > now)
    problem(
      kind,
      'not-yet-valid',
      `${what} is not valid before ${new Date(cert.validFrom).toISOString()}`,
    );
}

/** A certificate's subject on one line (public: safe in any message). */
export const subjectOf = (cert: X509Certificate): string => cert.subject.split('\n').join(', ');
export const issuerOf = (cert: X509Certificate): string => cert.issuer.split('\n').join(', ');
export const dayOf = (text: string): string => new Date(text).toISOString().slice(0, 10);
