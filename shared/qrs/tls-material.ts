/** The PEM texts of one site's QRS connection (see docs/architecture.md: read by shared/secrets). */
export interface QrsTlsMaterial {
  /** Client certificate (PEM), exported from the QMC as client.pem. */
  cert: string;
  /** Client private key (PEM), client_key.pem. */
  key: string;
  /** The site's root CA (PEM), root.pem: the only CA the server certificate is verified against. */
  ca: string;
}

/**
 * How messages name the three sources: the configured files (or SSM parameters), so advice points
 * at what the admin wrote, not at the QMC's default names.
 */
export interface CertificateNames {
  cert: string;
  key: string;
  ca: string;
}

/** The QMC export's file names: what messages say when the configuration is not at hand. */
export const QMC_CERTIFICATE_NAMES: CertificateNames = {
  cert: 'client.pem',
  key: 'client_key.pem',
  ca: 'root.pem',
};
