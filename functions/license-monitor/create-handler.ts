/**
 * The license-monitor Lambda, built from its dependencies (tests pass their own): the event names
 * the site, `@middy/ssm` supplies its certificates, one `monitorSite` run collects and stores the
 * usage. A failed run (QRS or a sink) throws after logging, so Lambda's Errors metric, the
 * schedule's retry policy and its dead-letter queue see it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Config } from '#shared/config/schema.ts';
import { QrsClientPool } from '#shared/lambda/qrs-client-pool.ts';
import { runOf, type SiteRunContext, startRun } from '#shared/lambda/run-context.ts';
import { siteCertificates } from '#shared/lambda/site-certificates.ts';
import { certificatesFromContext } from '#shared/lambda/ssm-certificates.ts';
import { monitorSite } from '#shared/licensing/monitor-site.ts';
import type { LicenseSnapshot } from '#shared/licensing/snapshot.ts';
import { asRunLogger } from '#shared/observability/powertools-run-logger.ts';
import { createQrsClient } from '#shared/qrs/from-config.ts';
import type { UsageSink, UsageSinkName } from '#shared/sinks/usage-sink.ts';

export interface MonitorHandlerDependencies {
  config: Config;
  logger: Logger;
  sinks: readonly UsageSink[];
  qrsClients?: QrsClientPool;
  now?: () => Date;
  newRunId?: () => string;
}

export type MonitorSummary =
  | { site: string; runId: string; status: 'skipped' }
  | {
      site: string;
      runId: string;
      status: 'ok';
      collectedAt: string;
      qrsRequests: number;
      written: UsageSinkName[];
      snapshot: LicenseSnapshot;
    };

export class MonitorRunError extends Error {
  constructor(site: string, detail: string) {
    super(`license monitor run for site ${site} failed: ${detail}`);
    this.name = 'MonitorRunError';
  }
}

export function createMonitorHandler(dependencies: MonitorHandlerDependencies) {
  const { config, logger, sinks } = dependencies;
  const runLogger = asRunLogger(logger);
  const qrsClients =
    dependencies.qrsClients ??
    new QrsClientPool((site, tls) => createQrsClient(site, tls, runLogger));
  const now = dependencies.now ?? (() => new Date());

  const lambdaHandler = async (
    _event: unknown,
    context: SiteRunContext,
  ): Promise<MonitorSummary> => {
    const { site, runId } = runOf(context);
    if (!site.licenseMonitor.enable) {
      logger.info('license monitor is disabled for this site (licenseMonitor.enable: false)');
      return { site: site.name, runId, status: 'skipped' };
    }
    const client = qrsClients.forSite(site, certificatesFromContext(context, site));
    const requestsBefore = client.stats.requests;
    const outcome = await monitorSite({
      source: client,
      site: site.name,
      now: now(),
      sinks,
      logger: runLogger,
    });
    const qrsRequests = client.stats.requests - requestsBefore;
    if (!outcome.ok) throw new MonitorRunError(site.name, outcome.error);
    const summary: MonitorSummary = {
      site: site.name,
      runId,
      status: 'ok',
      collectedAt: outcome.snapshot.collectedAt,
      qrsRequests,
      written: outcome.sinks.map((result) => result.sink),
      snapshot: outcome.snapshot,
    };
    logger.info('license usage collected', { qrsRequests, written: summary.written });
    return summary;
  };

  return middy<unknown, MonitorSummary, Error, SiteRunContext>(lambdaHandler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(startRun(config, logger, dependencies.newRunId))
    .use(
      siteCertificates(config, { name: 'monitor', enabled: (site) => site.licenseMonitor.enable }),
    )
    .use({
      name: 'license-steward-log-failure',
      onError: (request) => {
        // Only the message: never the event or an error object that may hold request details.
        logger.error('license monitor run failed', { error: request.error?.message });
      },
    });
}
