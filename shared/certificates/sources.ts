/** The three PEM texts a site's QRS connection needs, in the order they are listed everywhere. */
export const CERTIFICATE_KINDS = ['cert', 'key', 'ca'] as const;
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];
