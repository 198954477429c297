/**
 * Certificates in Lambda come from SSM SecureString parameters through `@middy/ssm`: fetched on
 * the first invocation (no prefetch at import, so an unreachable SSM is a clear error, not a
 * crashed init), cached across warm invocations, and refreshed after `cacheExpiry`.
 */

import type { Config, SiteConfig } from '../config/schema.ts';
import type { QrsTlsMaterial } from '../qrs/client.ts';

export const CERT_CACHE_MS = 15 * 60 * 1000;

type Part = 'cert' | 'key' | 'ca';
const PARTS: readonly Part[] = ['cert', 'key', 'ca'];

/** Context key middy sets for one site's certificate part. */
export function certContextKey(site: string, part: Part): string {
  return `qrs_${part}_${site.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** `fetchData` for `@middy/ssm`: every site's three parameters (Lambda requires `ssmParameter`). */
export function ssmFetchData(config: Config): Record<string, string> {
  const fetchData: Record<string, string> = {};
  for (const site of config.sites) {
    for (const part of PARTS) {
      const source = site.qrs.certificates[part];
      if ('ssmParameter' in source)
        fetchData[certContextKey(site.name, part)] = source.ssmParameter;
    }
  }
  return fetchData;
}

export function certificatesFromContext(context: object, site: SiteConfig): QrsTlsMaterial {
  const read = (part: Part): string => {
    const value = (context as Record<string, unknown>)[certContextKey(site.name, part)];
    if (typeof value !== 'string' || value === '') {
      const source = site.qrs.certificates[part];
      const where =
        'ssmParameter' in source
          ? `SSM parameter ${source.ssmParameter}`
          : 'a file (not supported in Lambda)';
      throw new Error(
        `the ${part} certificate for site ${site.name} is not available from ${where}`,
      );
    }
    return value;
  };
  return { cert: read('cert'), key: read('key'), ca: read('ca') };
}
