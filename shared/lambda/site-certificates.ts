/**
 * The site's client certificate, key and CA for a run, read through the function's one
 * `SsmReader` (kept for 15 minutes across warm invocations). Read on the first invocation, not at
 * import, so an unreachable SSM is a clear error and not a crashed cold start; nothing is read
 * for a site whose job is off (nothing will connect to QRS). Sets `context.siteJob` either way.
 */
import { certificateParameters } from '#shared/certificates/sources.ts';
import { type JobName, siteJob } from '#shared/config/site-job.ts';
import { StewardError } from '#shared/errors.ts';
import { readSiteCertificates } from '#shared/secrets/read.ts';
import { SecretError, type SsmReader } from '#shared/secrets/ssm-reader.ts';
import type { SiteRunMiddleware } from './run-context.ts';

export class CertificateFetchError extends StewardError {
  constructor(site: string, parameters: string[], reasons: string[]) {
    super(
      `cannot read the QRS certificates of site ${site} from SSM (${parameters.join(', ')}): ${reasons.join('; ')}. Check that the parameters exist in this account and region (\`license-steward certs put\`) and that the function may ssm:GetParameters and kms:Decrypt them`,
    );
    this.name = 'CertificateFetchError';
  }
}

export function siteCertificates(ssm: SsmReader, job: JobName): SiteRunMiddleware {
  return {
    name: 'license-steward-site-certificates',
    before: async (request) => {
      const { site } = request.context.siteRun;
      const state = siteJob(site, job);
      if (!state.enabled) {
        request.context.siteJob = { enabled: false, reason: state.reason };
        return;
      }
      try {
        request.context.siteJob = { enabled: true, tls: await readSiteCertificates(site, ssm) };
      } catch (error) {
        if (!(error instanceof SecretError) || error.reasons.length === 0) throw error;
        throw new CertificateFetchError(
          site.name,
          certificateParameters(site.qrs.certificates).names,
          error.reasons,
        );
      }
    },
  };
}
