/** The three PEM texts a site's QRS connection needs, in the order they are listed everywhere. */
export const CERTIFICATE_KINDS = ['cert', 'key', 'ca'] as const;
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];

/** The configured sources, as the admin wrote them (docs/faults.md: messages name these). */
export function certificateNames(
  certificates: Record<CertificateKind, { file: string } | { ssmParameter: string }>,
): Record<CertificateKind, string> {
  const name = (source: { file: string } | { ssmParameter: string }) =>
    'file' in source ? source.file : `SSM parameter ${source.ssmParameter}`;
  return {
    cert: name(certificates.cert),
    key: name(certificates.key),
    ca: name(certificates.ca),
  };
}
