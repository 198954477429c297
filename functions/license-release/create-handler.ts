/**
 * The license-release Lambda, built from its dependencies (tests pass their own). One site per
 * invocation (`{"site": "<name>"}` from the schedule), certificates from SSM through `@middy/ssm`,
 * one `runSiteRelease`. DELETEs stop being started when the remaining time gets short; what is
 * left is deferred to the next run.
 *
 * Errors before the first DELETE (event, certificates, QRS reads) throw, so the schedule retries.
 * After that the handler returns normally even when a DELETE or a sink failed: a retry would plan
 * again and could release another `maxReleasesPerRun`. Failures show in the `ReleaseFailed`
 * metric and the log. A retry of a run that did release is harmless: those allocations are gone
 * from QRS, and a DELETE of one that is gone answers 404 ("already gone").
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import { QrsClientPool } from '#shared/lambda/qrs-client-pool.ts';
import { runOf, type SiteRunContext, startRun } from '#shared/lambda/run-context.ts';
import { siteCertificates } from '#shared/lambda/site-certificates.ts';
import { certificatesFromContext } from '#shared/lambda/ssm-certificates.ts';
import { releaseSafetyMarginMs } from '#shared/lambda/time-budget.ts';
import { type ReleaseSink, runSiteRelease } from '#shared/licensing/release/run.ts';
import { type KeepReason, resultCounts } from '#shared/licensing/release/types.ts';
import { asRunLogger } from '#shared/observability/powertools-run-logger.ts';
import type { QrsClient, QrsTlsMaterial } from '#shared/qrs/client.ts';
import { createQrsClient } from '#shared/qrs/from-config.ts';

export interface ReleaseHandlerDependencies {
  config: Config;
  logger: Logger;
  /** Timestream and CloudWatch sinks for the run (built from `destinations`, see handler.ts). */
  sinks: readonly ReleaseSink[];
  createQrs?: (site: SiteConfig, tls: QrsTlsMaterial) => QrsClient;
  now?: () => Date;
  /** Start no DELETE when less than this is left; default: one QRS timeout plus the sinks' budget. */
  safetyMarginMs?: (site: SiteConfig) => number;
}

export type ReleaseSummary =
  | { site: string; runId: string; status: 'skipped'; reason: string }
  | {
      site: string;
      runId: string;
      status: 'ok' | 'failures';
      dryRun: boolean;
      evaluatedAt: string;
      candidates: number;
      released: number;
      alreadyGone: number;
      failed: number;
      deferred: number;
      kept: Partial<Record<KeepReason, number>>;
      sinkErrors: string[];
      qrsRequests: number;
    };

export function createReleaseHandler(dependencies: ReleaseHandlerDependencies) {
  const { config, logger, sinks } = dependencies;
  const runLogger = asRunLogger(logger);
  const now = dependencies.now ?? (() => new Date());
  const createQrs =
    dependencies.createQrs ?? ((site, tls) => createQrsClient(site, tls, runLogger));
  const clients = new QrsClientPool(createQrs);
  const marginMs =
    dependencies.safetyMarginMs ??
    ((site: SiteConfig) => releaseSafetyMarginMs(site, config.destinations.influxdb));

  const lambdaHandler = async (
    _event: unknown,
    context: SiteRunContext,
  ): Promise<ReleaseSummary> => {
    const { site, runId } = runOf(context);
    const release = site.licenseRelease;
    if (!release?.enable) {
      const reason = release
        ? 'licenseRelease.enable is false'
        : 'the site has no licenseRelease block';
      logger.info(`license release skipped: ${reason}`);
      return { site: site.name, runId, status: 'skipped', reason };
    }
    const client = clients.forSite(site, certificatesFromContext(context, site));
    const requestsBefore = client.stats.requests;
    const result = await runSiteRelease({
      site: site.name,
      release,
      dryRun: release.dryRun,
      runId,
      qrs: client,
      logger: runLogger,
      now,
      shouldStop: () => context.getRemainingTimeInMillis() < marginMs(site),
      sinks,
    });
    const failures = result.failed.length + result.sinkErrors.length;
    return {
      site: site.name,
      runId,
      status: failures > 0 ? 'failures' : 'ok',
      dryRun: result.dryRun,
      evaluatedAt: result.evaluatedAt,
      ...resultCounts(result),
      sinkErrors: result.sinkErrors,
      qrsRequests: client.stats.requests - requestsBefore,
    };
  };

  return middy<unknown, ReleaseSummary, Error, SiteRunContext>(lambdaHandler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(startRun(config, logger))
    .use(
      siteCertificates(config, {
        name: 'release',
        enabled: (site) => site.licenseRelease?.enable === true,
      }),
    )
    .use({
      name: 'license-steward-release-log-failure',
      onError: (request) => {
        // The message only: never the event, nor an error object that may carry request details.
        logger.error('license release run failed', { error: request.error?.message });
      },
    });
}
