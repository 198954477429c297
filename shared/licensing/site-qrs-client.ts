/** Builds the QRS client for a configured site. */
import { certificateNames } from '#shared/certificates/sources.ts';
import type { SiteConfig } from '#shared/config/schema.ts';
import { QrsClient, type QrsLogger, type QrsTlsMaterial } from '#shared/qrs/client.ts';

export function createQrsClient(
  site: SiteConfig,
  tls: QrsTlsMaterial,
  logger?: QrsLogger,
): QrsClient {
  return new QrsClient({
    host: site.qrs.host,
    port: site.qrs.port,
    ...(site.qrs.servername ? { servername: site.qrs.servername } : {}),
    user: site.qrs.user,
    tls,
    certificateNames: certificateNames(site.qrs.certificates),
    timeoutMs: site.qrs.timeoutSeconds * 1000,
    retry: { maxRetries: site.qrs.maxRetries },
    // A socket per DELETE in flight: with fewer, a deleteConcurrency above 8 would only queue.
    maxSockets: Math.max(8, site.licenseRelease?.deleteConcurrency ?? 0),
    ...(logger ? { logger } : {}),
  });
}
