/**
 * The site's client certificate, key and CA from SSM SecureString parameters through `@middy/ssm`:
 * fetched on the first invocation for that site (no prefetch at import, so an unreachable SSM is
 * a clear error and not a crashed cold start), cached across warm invocations for
 * `CERT_CACHE_MS`. One middleware instance per site, so a missing parameter of one site never
 * breaks the runs of another.
 */
import type { MiddlewareObj } from '@middy/core';
import ssm from '@middy/ssm';
import type { Config, SiteConfig } from '../config/schema.ts';
import { runOf, type SiteRunContext, type SiteRunMiddleware } from './run-context.ts';
import { CERT_CACHE_MS, ssmFetchData } from './ssm-certificates.ts';

export class CertificateFetchError extends Error {
  constructor(site: string, parameters: string[], reasons: string[]) {
    super(
      `cannot read the QRS certificates of site ${site} from SSM (${parameters.join(', ')}): ${reasons.join('; ')}. Check that the parameters exist in this account and region (\`license-steward certs put\`) and that the function may ssm:GetParameters and kms:Decrypt them`,
    );
    this.name = 'CertificateFetchError';
  }
}

type Before = NonNullable<MiddlewareObj<unknown, unknown, Error, SiteRunContext>['before']>;

/**
 * @param job which function this is: its cache is its own, and a site whose job is disabled
 *   fetches nothing (nothing will connect to QRS).
 */
export function siteCertificates(
  config: Config,
  job: { name: string; enabled: (site: SiteConfig) => boolean },
): SiteRunMiddleware {
  const perSite = new Map<string, { before: Before; parameters: string[] }>();
  for (const site of config.sites) {
    const fetchData = ssmFetchData({ ...config, sites: [site] });
    if (Object.keys(fetchData).length === 0) continue;
    const middleware = ssm({
      fetchData,
      cacheKey: `license-steward-${job.name}-certificates-${site.name}`,
      cacheExpiry: CERT_CACHE_MS,
      disablePrefetch: true,
      setToContext: true,
    }) as SiteRunMiddleware;
    if (middleware.before) {
      perSite.set(site.name, { before: middleware.before, parameters: Object.values(fetchData) });
    }
  }
  return {
    name: 'license-steward-site-certificates',
    before: async (request) => {
      const { site } = runOf(request.context);
      if (!job.enabled(site)) return;
      const entry = perSite.get(site.name);
      if (!entry) return; // file certificates: reported when they are read from the context
      try {
        await entry.before(request);
      } catch (error) {
        throw new CertificateFetchError(site.name, entry.parameters, reasons(error));
      }
    },
  };
}

/** @middy/ssm wraps the SDK errors in `cause.data`; their names and messages carry no secrets. */
function reasons(error: unknown): string[] {
  const data = (error as { cause?: { data?: unknown } })?.cause?.data;
  const list = Array.isArray(data) && data.length > 0 ? data : [error];
  const messages = list.map((item) =>
    item instanceof Error
      ? `${item.name === 'Error' ? '' : `${item.name}: `}${item.message}`
      : String(item),
  );
  return [...new Set(messages)]; // one failed batch rejects every key in it with the same error
}
