/** Builds the QRS client for a configured site. */
import { certificateNames } from '#shared/certificates/sources.ts';
import { qrsNodes, type SiteConfig } from '#shared/config/schema.ts';
import { QrsClient, type QrsLogger, type QrsTlsMaterial } from '#shared/qrs/client.ts';

export function createQrsClient(
  site: SiteConfig,
  tls: QrsTlsMaterial,
  logger?: QrsLogger,
): QrsClient {
  const nodes = qrsNodes(site.qrs);
  return new QrsClient({
    host: nodes[0]?.host ?? '',
    nodes,
    port: site.qrs.port,
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
