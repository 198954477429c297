/** The PEM texts of one site's QRS connection (see docs/architecture.md: read by shared/secrets). */
export interface QrsTlsMaterial {
  /** Client certificate (PEM), exported from the QMC as client.pem. */
  cert: string;
  /** Client private key (PEM), client_key.pem. */
  key: string;
  /** The site's root CA (PEM), root.pem: the only CA the server certificate is verified against. */
  ca: string;
}
