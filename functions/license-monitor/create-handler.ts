/**
 * The license-monitor Lambda, built from its dependencies (tests pass their own): the scheduled
 * site job (shared/lambda/site-job-handler.ts) running one `monitorSite`. A failed run (QRS or a
 * sink) throws after logging, so Lambda's Errors metric, the schedule's retry policy and its
 * dead-letter queue see it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '#shared/config/schema.ts';
import { StewardError } from '#shared/errors.ts';
import type { QrsClientFactory } from '#shared/lambda/qrs-client-pool.ts';
import { createSiteJobHandler } from '#shared/lambda/site-job-handler.ts';
import { warnIfClocksDisagree } from '#shared/licensing/clock-guard.ts';
import { monitorSite } from '#shared/licensing/monitor/monitor-site.ts';
import type { LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import { usageWarnings } from '#shared/licensing/monitor/usage-warnings.ts';
import type { SinkName, UsageSink } from '#shared/licensing/sinks.ts';
import { asRunLogger } from '#shared/observability/powertools-run-logger.ts';
import type { SsmReader } from '#shared/secrets/ssm-reader.ts';

export interface MonitorHandlerDependencies {
  config: Config;
  logger: Logger;
  sinks: readonly UsageSink[];
  createQrs?: QrsClientFactory;
  ssm?: SsmReader;
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
      written: SinkName[];
      snapshot: LicenseSnapshot;
    };

export class MonitorRunError extends StewardError {
  constructor(site: string, detail: string) {
    super(`license monitor run for site ${site} failed: ${detail}`);
    this.name = 'MonitorRunError';
  }
}

export function createMonitorHandler(dependencies: MonitorHandlerDependencies) {
  const { logger, sinks } = dependencies;
  const runLogger = asRunLogger(logger);
  const now = dependencies.now ?? (() => new Date());
  return createSiteJobHandler<MonitorSummary>({
    ...dependencies,
    job: 'monitor',
    skipped: (site, runId) => ({ site: site.name, runId, status: 'skipped' }),
    run: async ({ site, runId, qrs }) => {
      const requestsBefore = qrs.stats.requests;
      const clock = qrs.readClock();
      const outcome = await monitorSite({
        source: qrs,
        site: site.name,
        now: now(),
        sinks,
        logger: runLogger,
      });
      warnIfClocksDisagree(clock.current(), site.qrs.maxClockSkewSeconds, (message, extra) =>
        logger.warn(message, extra ?? {}),
      );
      const qrsRequests = qrs.stats.requests - requestsBefore;
      if (!outcome.ok) throw new MonitorRunError(site.name, outcome.error);
      // The CLI table's warnings (low availability, expiry, a shrunk LEF) as log lines here.
      for (const warning of usageWarnings(outcome.snapshot, site.alarms))
        logger.warn(`license ${warning.subject}: ${warning.message}`, { subject: warning.subject });
      const written = outcome.sinks.map((result) => result.sink);
      logger.info('license usage collected', { qrsRequests, written });
      return {
        site: site.name,
        runId,
        status: 'ok',
        collectedAt: outcome.snapshot.collectedAt,
        qrsRequests,
        written,
        snapshot: outcome.snapshot,
      };
    },
  });
}
