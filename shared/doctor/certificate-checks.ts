/**
 * The doctor's local certificate checks, before anything is sent to QRS: client.pem parses, the
 * key belongs to it and it is within its dates; root.pem holds CA certificates within their dates
 * and the client certificate comes from one of them. The checks are the shared ones
 * (shared/certificates/pem-set.ts); this module words the advice. Only public facts appear in
 * the details.
 */
import {
  dayOf,
  inspectPemSet,
  issuerOf,
  type PemProblem,
  subjectOf,
} from '#shared/certificates/pem-set.ts';
import type { QrsTlsMaterial } from '#shared/qrs/client.ts';
import { type DoctorCheck, fail, pass } from './check.ts';

const DAY_MS = 86_400_000;
/** A client certificate this close to its end passes with a reminder. */
const RENEW_WITHIN_DAYS = 30;
const EXPORT_AGAIN =
  "export client.pem, client_key.pem and root.pem again from this site's QMC (Certificates → Export certificates, PEM, with the secret key)";

export function clientCertificateCheck(tls: QrsTlsMaterial, now: Date): DoctorCheck {
  const { cert, problems } = inspectPemSet({ cert: tls.cert, key: tls.key }, { now });
  if (!cert)
    return fail('client-certificate', `client.pem holds no readable certificate: ${EXPORT_AGAIN}`);
  const first = (...codes: PemProblem['code'][]) => problems.find((p) => codes.includes(p.code));
  if (first('encrypted-key', 'not-pem', 'unreadable'))
    return fail(
      'client-certificate',
      'client_key.pem is not a readable private key (PEM without a password): export it again with the secret key',
    );
  if (first('key-mismatch'))
    return fail(
      'client-certificate',
      `client_key.pem is not the key of client.pem (${subjectOf(cert)}): use the pair from one export`,
    );
  const dates = first('expired', 'not-yet-valid');
  if (dates) return fail('client-certificate', `${clockHint(dates)}: ${EXPORT_AGAIN}`);
  const daysLeft = Math.floor((Date.parse(cert.validTo) - now.getTime()) / DAY_MS);
  const reminder =
    daysLeft <= RENEW_WITHIN_DAYS ? `; expires in ${daysLeft} day(s): export a new one soon` : '';
  return pass(
    'client-certificate',
    `${subjectOf(cert)}, key matches, valid to ${dayOf(cert.validTo)}${reminder}`,
  );
}

export function caCertificateCheck(tls: QrsTlsMaterial, now: Date): DoctorCheck {
  const { cert, authorities, problems } = inspectPemSet({ cert: tls.cert, ca: tls.ca }, { now });
  if (authorities.length === 0)
    return fail('ca-certificate', `root.pem holds no readable certificate: ${EXPORT_AGAIN}`);
  // Per CA certificate in file order, as an administrator reads root.pem.
  const ofCa = problems.filter((p) => p.kind === 'ca');
  const first = ofCa[0];
  if (first?.code === 'not-a-ca')
    return fail(
      'ca-certificate',
      `${first.message}: use root.pem from the QMC export, not server.pem or client.pem`,
    );
  if (first) return fail('ca-certificate', `${clockHint(first)}: the site needs new certificates`);
  if (cert && problems.some((p) => p.code === 'not-issued-by-ca'))
    return fail(
      'ca-certificate',
      `client.pem (${subjectOf(cert)}, issued by ${issuerOf(cert)}) does not come from root.pem (${authorities.map(subjectOf).join('; ')}): use the files of one export of this site`,
    );
  return pass(
    'ca-certificate',
    `${authorities.map(subjectOf).join('; ')}, valid to ${dayOf(authorities[0]?.validTo ?? '')}`,
  );
}

/** A "not valid before" usually means this machine's clock is wrong: say so. */
function clockHint(problem: PemProblem): string {
  return problem.code === 'not-yet-valid'
    ? `${problem.message} (check this machine's clock)`
    : problem.message;
}
