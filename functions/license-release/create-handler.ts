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
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import ssm from '@middy/ssm';
import type { Context } from 'aws-lambda';
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import { siteForEvent } from '#shared/lambda/site-event.ts';
import {
  CERT_CACHE_MS,
  certificatesFromContext,
  ssmFetchData,
} from '#shared/lambda/ssm-certificates.ts';
import { type ReleaseSink, runSiteRelease } from '#shared/licensing/release/run.ts';
import { countByReason, type KeepReason } from '#shared/licensing/release/types.ts';
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
  /** Start no DELETE when less than this is left; default: one QRS timeout plus 20 s for sinks. */
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

interface ReleaseRun {
  site: SiteConfig;
  runId: string;
}

interface ReleaseContext extends Context {
  releaseRun?: ReleaseRun;
}

export function createReleaseHandler(dependencies: ReleaseHandlerDependencies) {
  const { config, logger, sinks } = dependencies;
  const runLogger = asRunLogger(logger);
  const now = dependencies.now ?? (() => new Date());
  const createQrs =
    dependencies.createQrs ?? ((site, tls) => createQrsClient(site, tls, runLogger));
  const clients = new Map<string, { tls: QrsTlsMaterial; client: QrsClient }>();
  const marginMs =
    dependencies.safetyMarginMs ?? ((site: SiteConfig) => site.qrs.timeoutSeconds * 1000 + 20_000);

  /** Kept across warm invocations; replaced when SSM hands out other certificates (rotation). */
  const clientFor = (site: SiteConfig, tls: QrsTlsMaterial): QrsClient => {
    const cached = clients.get(site.name);
    if (
      cached &&
      cached.tls.cert === tls.cert &&
      cached.tls.key === tls.key &&
      cached.tls.ca === tls.ca
    )
      return cached.client;
    cached?.client.close();
    const client = createQrs(site, tls);
    clients.set(site.name, { tls, client });
    return client;
  };

  const lambdaHandler = async (
    _event: unknown,
    context: ReleaseContext,
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
    const client = clientFor(site, certificatesFromContext(context, site));
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
      candidates: result.candidates.length,
      released: result.released.length,
      alreadyGone: result.released.filter((item) => item.alreadyGone).length,
      failed: result.failed.length,
      deferred: result.deferred.length,
      kept: countByReason(result.kept),
      sinkErrors: result.sinkErrors,
      qrsRequests: client.stats.requests - requestsBefore,
    };
  };

  return middy<unknown, ReleaseSummary, Error, ReleaseContext>(lambdaHandler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(startRun(config, logger))
    .use(siteCertificates(config))
    .use({
      name: 'license-steward-release-log-failure',
      onError: (request) => {
        // The message only: never the event, nor an error object that may carry request details.
        logger.error('license release run failed', { error: request.error?.message });
      },
    });
}

/** Which site the event names and a run id (the request id), on every log line from here on. */
function startRun(
  config: Config,
  logger: Logger,
): MiddlewareObj<unknown, unknown, Error, ReleaseContext> {
  return {
    name: 'license-steward-release-run',
    before: (request) => {
      const runId = request.context.awsRequestId || randomUUID();
      logger.appendKeys({ runId });
      const site = siteForEvent(config, request.event);
      logger.appendKeys({ site: site.name });
      request.context.releaseRun = { site, runId };
    },
  };
}

function runOf(context: ReleaseContext): ReleaseRun {
  if (!context.releaseRun) throw new Error('the release run middleware did not run');
  return context.releaseRun;
}

type Before = NonNullable<MiddlewareObj<unknown, unknown, Error, ReleaseContext>['before']>;

/**
 * `@middy/ssm` per site (no prefetch, cached for `CERT_CACHE_MS`), only for the site of this
 * invocation: one site's missing parameter never breaks another site's runs.
 */
function siteCertificates(config: Config): MiddlewareObj<unknown, unknown, Error, ReleaseContext> {
  const perSite = new Map<string, Before>();
  for (const site of config.sites) {
    const fetchData = ssmFetchData({ ...config, sites: [site] });
    if (Object.keys(fetchData).length === 0) continue;
    const middleware = ssm({
      fetchData,
      cacheKey: `license-steward-release-certificates-${site.name}`,
      cacheExpiry: CERT_CACHE_MS,
      disablePrefetch: true,
      setToContext: true,
    }) as MiddlewareObj<unknown, unknown, Error, ReleaseContext>;
    if (middleware.before) perSite.set(site.name, middleware.before);
  }
  return {
    name: 'license-steward-release-certificates',
    before: async (request) => {
      const { site } = runOf(request.context);
      if (!site.licenseRelease?.enable) return; // nothing will connect to QRS
      const before = perSite.get(site.name);
      if (!before) return; // `file` certificates: certificatesFromContext says what is wrong
      try {
        await before(request);
      } catch (error) {
        throw new Error(
          `cannot read the QRS certificates of site ${site.name} from SSM: ${ssmFailure(error)}; check that the parameters exist (\`license-steward certs put\`) and that the function may ssm:GetParameters and kms:Decrypt them`,
        );
      }
    },
  };
}

/** @middy/ssm wraps SDK errors in `cause.data`; their names and messages carry no secrets. */
function ssmFailure(error: unknown): string {
  const data = (error as { cause?: { data?: unknown } })?.cause?.data;
  const list = Array.isArray(data) && data.length > 0 ? data : [error];
  return list
    .map((item) => (item instanceof Error ? `${item.name}: ${item.message}` : String(item)))
    .join('; ');
}
