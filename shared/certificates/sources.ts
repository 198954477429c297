/**
 * A site's certificates (docs/certificates.md): the three PEM texts its QRS connection needs, the
 * QMC's file names for them, and which SSM parameters a site uses. The config schema, `certs put`,
 * `doctor`, `cdk synth` and the Lambda chain all ask here. No imports: any layer may use it.
 */

/** The three PEM texts a site's QRS connection needs, in the order they are listed everywhere. */
export const CERTIFICATE_KINDS = ['cert', 'key', 'ca'] as const;
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];

/** The QMC's export file names ("Export certificates", PEM format) and what each one holds. */
export const CERTIFICATE_FILES: Readonly<Record<CertificateKind, { file: string; what: string }>> =
  {
    cert: { file: 'client.pem', what: 'client certificate' },
    key: { file: 'client_key.pem', what: 'client key' },
    ca: { file: 'root.pem', what: 'CA certificate' },
  };

/** Where a site's PEM text comes from (`sites[].qrs.certificates.<kind>`). */
export type CertificateSource = { file: string } | { ssmParameter: string };

export interface CertificateParameters {
  /** The SSM parameter of each kind stored there. */
  byKind: Partial<Record<CertificateKind, string>>;
  /** Every parameter name, in kind order (one `GetParameters` call, one IAM grant). */
  names: string[];
  /** Kinds configured as a file: the Lambda functions and `certs put` cannot use them. */
  notInSsm: CertificateKind[];
}

/** Which SSM parameters a site's certificates live in, and which are not in SSM. */
export function certificateParameters(
  sources: Readonly<Record<CertificateKind, CertificateSource>>,
): CertificateParameters {
  const byKind: Partial<Record<CertificateKind, string>> = {};
  const notInSsm: CertificateKind[] = [];
  for (const kind of CERTIFICATE_KINDS) {
    const source = sources[kind];
    if ('ssmParameter' in source) byKind[kind] = source.ssmParameter;
    else notInSsm.push(kind);
  }
  const names = CERTIFICATE_KINDS.flatMap((kind) => byKind[kind] ?? []);
  return { byKind, names, notInSsm };
}
