/**
 * The license-release Lambda, built from its dependencies (tests pass their own): the scheduled
 * site job (shared/lambda/site-job-handler.ts) running one `runSiteRelease`. DELETEs stop being
 * started when the remaining time gets short; what is left is deferred to the next run.
 *
 * Errors before the first DELETE (event, certificates, QRS reads, the clock guard) throw, so the
 * schedule retries. After that the handler returns normally even when a DELETE or a sink failed
 * or time runs short (DELETEs and sinks have deadlines inside the remaining time): the run ledger
 * then records it as done, and a repeated event gets this summary back instead of planning again.
 * Failures show in the `ReleaseFailed` metric and the log (docs/release.md).
 *
 * With `licenseRelease.mode: review` the run is a dry run whatever `dryRun` says, and its plan is
 * logged and returned for the admin to apply with `release --plan` (docs/release.md).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import { releaseSafetyMarginMs, sinksBudgetMs } from '#shared/config/time-budget.ts';
import type { QrsClientFactory } from '#shared/lambda/qrs-client-pool.ts';
import type { RunLedger } from '#shared/lambda/run-ledger.ts';
import { createSiteJobHandler } from '#shared/lambda/site-job-handler.ts';
import {
  type ReleaseMode,
  type ReviewPlan,
  reviewPlan,
  scheduledDryRun,
} from '#shared/licensing/release/review.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import { type KeepReason, resultCounts } from '#shared/licensing/release/types.ts';
import type { ReleaseSink } from '#shared/licensing/sinks.ts';
import { asRunLogger } from '#shared/observability/powertools-run-logger.ts';
import type { SsmReader } from '#shared/secrets/ssm-reader.ts';

export interface ReleaseHandlerDependencies {
  config: Config;
  logger: Logger;
  /** The release sinks of `destinations` (see handler.ts). */
  sinks: readonly ReleaseSink[];
  createQrs?: QrsClientFactory;
  ssm?: SsmReader;
  now?: () => Date;
  /** Start no DELETE when less than this is left; default: one QRS timeout plus the sinks' budget. */
  safetyMarginMs?: (site: SiteConfig) => number;
  /** The run ledger (LICENSE_STEWARD_RUNS_TABLE); none: every delivery runs. */
  ledger?: RunLedger;
}

/** The sinks end this long before the function does: the ledger's record and the answer. */
const FINISH_RESERVE_MS = 3_000;

export type ReleaseSummary =
  | { site: string; runId: string; status: 'skipped'; reason: string }
  | {
      site: string;
      runId: string;
      /** A repeat while the run of this scheduled time is in progress (or was cut off). */
      status: 'in-progress-elsewhere';
      scheduledTime: string;
      reason: string;
    }
  | {
      site: string;
      runId: string;
      status: 'ok' | 'failures';
      mode: ReleaseMode;
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
      /** Review mode only: the plan to apply with `release --plan FILE`. */
      plan?: ReviewPlan;
    };

export function createReleaseHandler(dependencies: ReleaseHandlerDependencies) {
  const { config, logger, sinks } = dependencies;
  const runLogger = asRunLogger(logger);
  const now = dependencies.now ?? (() => new Date());
  const sinksReserveMs = sinksBudgetMs(config.destinations.influxdb);
  const marginMs =
    dependencies.safetyMarginMs ??
    ((site: SiteConfig) => releaseSafetyMarginMs(site, config.destinations.influxdb));
  return createSiteJobHandler<ReleaseSummary>({
    ...dependencies,
    job: 'release',
    skipped: (site, runId, reason) => ({ site: site.name, runId, status: 'skipped', reason }),
    ledger: {
      ledger: dependencies.ledger,
      changesLicenses: (site) =>
        site.licenseRelease ? !scheduledDryRun(site.licenseRelease) : false,
      inProgress: (site, runId, key) => ({
        site: site.name,
        runId,
        status: 'in-progress-elsewhere',
        scheduledTime: key.scheduledTime,
        reason:
          'the run of this site and scheduled time is in progress or was cut off; it is not repeated',
      }),
    },
    run: async ({ site, runId, qrs, context }) => {
      const release = site.licenseRelease;
      if (!release) throw new Error('release ran for a site without licenseRelease');
      const requestsBefore = qrs.stats.requests;
      const result = await runSiteRelease({
        site: site.name,
        release,
        dryRun: scheduledDryRun(release),
        runId,
        qrs,
        logger: runLogger,
        now,
        shouldStop: () => context.getRemainingTimeInMillis() < marginMs(site),
        deadlines: {
          // The last DELETE attempt ends in time for the sinks' budget (the same one synth checks).
          deletesBy: () => endOf(context) - sinksReserveMs - FINISH_RESERVE_MS,
          sinksBy: () => endOf(context) - FINISH_RESERVE_MS,
        },
        maxClockSkewSeconds: site.qrs.maxClockSkewSeconds,
        sinks,
      });
      const failures = result.failed.length + result.sinkErrors.length;
      const plan = release.mode === 'review' ? reviewPlan(result) : undefined;
      if (plan)
        logger.info(
          'Release plan for review: save "plan" as a file and apply it with release --plan',
          {
            site: site.name,
            runId,
            plan,
          },
        );
      return {
        site: site.name,
        runId,
        status: failures > 0 ? 'failures' : 'ok',
        mode: release.mode,
        dryRun: result.dryRun,
        evaluatedAt: result.evaluatedAt,
        ...resultCounts(result),
        sinkErrors: result.sinkErrors,
        qrsRequests: qrs.stats.requests - requestsBefore,
        userRead: result.userRead ?? null,
        ...(result.warnings ? { warnings: result.warnings } : {}),
        ...(plan ? { plan } : {}),
      };
    },
  });
}

/** When the function will be stopped (ms since epoch). */
const endOf = (context: { getRemainingTimeInMillis(): number }) =>
  Date.now() + context.getRemainingTimeInMillis();
