/**
 * The one way a scheduled site job becomes a Lambda handler, shared by license-monitor and
 * license-release so they differ only in the job they run. The middy chain:
 *
 * 1. Powertools logger context (request id, cold start) on every line;
 * 2. `startRun`: the event, parsed once, the site it names and a run id;
 * 3. `siteCertificates`: whether the job is on, and then the site's certificates through the
 *    function's SSM reader (the context's types say what each step has set: run-context.ts);
 * 4. the job, with a QRS client kept per site across warm invocations, or a "skipped" answer when
 *    the job is off for the site (docs/architecture.md); for release, through the run ledger;
 * 5. on error, one log line with the message only (never the event or an error object, which may
 *    hold request details).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import { type JobName, skippedNotice } from '#shared/config/site-job.ts';
import { createQrsClient } from '#shared/licensing/site-qrs-client.ts';
import { asRunLogger } from '#shared/observability/powertools-run-logger.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { newSsmClient, SECRET_CACHE_MS, SsmReader } from '#shared/secrets/ssm-reader.ts';
import { type QrsClientFactory, QrsClientPool } from './qrs-client-pool.ts';
import { type SiteRunContext, startRun } from './run-context.ts';
import { type LedgerOption, runOnce } from './run-ledger.ts';
import { siteCertificates } from './site-certificates.ts';
import type { SiteEvent } from './site-event.ts';

export interface SiteJobRun {
  event: SiteEvent;
  context: SiteRunContext;
  site: SiteConfig;
  runId: string;
  qrs: QrsClient;
}

export interface SiteJobHandlerOptions<Result> {
  job: JobName;
  config: Config;
  logger: Logger;
  /** The job, for a site where it is on. */
  run: (run: SiteJobRun) => Promise<Result>;
  /** The answer for a site where the job is off (`reason` names the key). */
  skipped: (site: SiteConfig, runId: string, reason: string) => Result;
  /** Default: the site's QRS client from its config. */
  createQrs?: QrsClientFactory;
  /** Default: SSM with the SDK's standard settings and the project's deadlines, values kept for 15 minutes. */
  ssm?: SsmReader;
  newRunId?: (context: Context) => string;
  /** Release only: one run per site and scheduled time (shared/lambda/run-ledger.ts). */
  ledger?: LedgerOption<Result>;
}

export function createSiteJobHandler<Result>(options: SiteJobHandlerOptions<Result>) {
  const { job, config, logger } = options;
  const runLogger = asRunLogger(logger);
  const clients = new QrsClientPool(
    options.createQrs ?? ((site, tls) => createQrsClient(site, tls, runLogger)),
  );
  const ssm = options.ssm ?? new SsmReader(newSsmClient, { cacheMs: SECRET_CACHE_MS });

  const lambdaHandler = async (_event: unknown, context: SiteRunContext): Promise<Result> => {
    const { site, runId, event } = context.siteRun;
    const state = context.siteJob;
    if (!state.enabled) {
      logger.info(skippedNotice(job, state.reason));
      return options.skipped(site, runId, state.reason);
    }
    const runJob = () =>
      options.run({ event, context, site, runId, qrs: clients.forSite(site, state.tls) });
    if (!options.ledger) return runJob();
    return runOnce(options.ledger, { event, site, runId, logger: runLogger }, runJob);
  };

  return middy<unknown, Result, Error, SiteRunContext>(lambdaHandler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(startRun(config, logger, options.newRunId))
    .use(siteCertificates(ssm, job))
    .use({
      name: 'license-steward-log-failure',
      onError: (request) => {
        logger.error(`license ${job} run failed`, { error: request.error?.message });
      },
    });
}
