/**
 * The doctor's local certificate checks, before anything is sent to QRS: client.pem parses, the
 * key belongs to it and it is within its dates; root.pem holds CA certificates within their dates
 * and the client certificate comes from one of them. Only public facts appear in the details.
 */
import { createPrivateKey, type X509Certificate } from 'node:crypto';
import type { QrsTlsMaterial } from '#shared/qrs/client.ts';
import { parseCertificates } from '#shared/qrs/tls/qlik-server-certificate.ts';
import { type DoctorCheck, fail, pass } from './check.ts';

const DAY_MS = 86_400_000;
/** A client certificate this close to its end passes with a reminder. */
const RENEW_WITHIN_DAYS = 30;
const EXPORT_AGAIN =
  "export client.pem, client_key.pem and root.pem again from this site's QMC (Certificates → Export certificates, PEM, with the secret key)";

export function clientCertificateCheck(tls: QrsTlsMaterial, now: Date): DoctorCheck {
  const [cert] = parseCertificates(tls.cert);
  if (!cert)
    return fail('client-certificate', `client.pem holds no readable certificate: ${EXPORT_AGAIN}`);
  try {
    if (!cert.checkPrivateKey(createPrivateKey(tls.key)))
      return fail(
        'client-certificate',
        `client_key.pem is not the key of client.pem (${subject(cert)}): use the pair from one export`,
      );
  } catch {
    return fail(
      'client-certificate',
      'client_key.pem is not a readable private key (PEM without a password): export it again with the secret key',
    );
  }
  const dates = datesProblem(cert, now, 'the client certificate');
  if (dates) return fail('client-certificate', `${dates}: ${EXPORT_AGAIN}`);
  const daysLeft = Math.floor((Date.parse(cert.validTo) - now.getTime()) / DAY_MS);
  const reminder =
    daysLeft <= RENEW_WITHIN_DAYS ? `; expires in ${daysLeft} day(s): export a new one soon` : '';
  return pass(
    'client-certificate',
    `${subject(cert)}, key matches, valid to ${day(cert.validTo)}${reminder}`,
  );
}

export function caCertificateCheck(tls: QrsTlsMaterial, now: Date): DoctorCheck {
  const authorities = parseCertificates(tls.ca);
  if (authorities.length === 0)
    return fail('ca-certificate', `root.pem holds no readable certificate: ${EXPORT_AGAIN}`);
  for (const ca of authorities) {
    if (!ca.ca)
      return fail(
        'ca-certificate',
        `root.pem holds ${subject(ca)}, which is not a CA certificate: use root.pem from the QMC export, not server.pem or client.pem`,
      );
    const dates = datesProblem(ca, now, `the CA certificate ${subject(ca)}`);
    if (dates) return fail('ca-certificate', `${dates}: the site needs new certificates`);
  }
  const [cert] = parseCertificates(tls.cert);
  if (cert && !authorities.some((ca) => issuedBy(cert, ca)))
    return fail(
      'ca-certificate',
      `client.pem (${subject(cert)}, issued by ${issuer(cert)}) does not come from root.pem (${authorities.map(subject).join('; ')}): use the files of one export of this site`,
    );
  return pass(
    'ca-certificate',
    `${authorities.map(subject).join('; ')}, valid to ${day(authorities[0]?.validTo ?? '')}`,
  );
}

function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

function datesProblem(cert: X509Certificate, now: Date, what: string): string | undefined {
  if (Date.parse(cert.validTo) < now.getTime()) return `${what} expired on ${day(cert.validTo)}`;
  if (Date.parse(cert.validFrom) > now.getTime())
    return `${what} is not valid before ${new Date(cert.validFrom).toISOString()} (check this machine's clock)`;
  return undefined;
}

const subject = (cert: X509Certificate): string => cert.subject.split('\n').join(', ');
const issuer = (cert: X509Certificate): string => cert.issuer.split('\n').join(', ');
const day = (text: string): string => new Date(text).toISOString().slice(0, 10);
