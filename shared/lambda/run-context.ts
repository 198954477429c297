/**
 * The first middleware of a run, for both functions: which site the scheduled event names, a run
 * id (the Lambda request id), and both on every log line from here on (the SSM read included).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import type { QrsTlsMaterial } from '#shared/qrs/client.ts';
import { siteForEvent } from './site-event.ts';

export interface SiteRun {
  site: SiteConfig;
  runId: string;
  /** The site's certificates, once `siteCertificates` has read them. */
  tls?: QrsTlsMaterial;
}

/** The Lambda context with the run `startRun` set on it. */
export interface SiteRunContext extends Context {
  siteRun?: SiteRun;
}

export type SiteRunMiddleware = MiddlewareObj<unknown, unknown, Error, SiteRunContext>;

const requestIdOrRandom = (context: Context): string => context.awsRequestId || randomUUID();

export function startRun(
  config: Config,
  logger: Logger,
  newRunId: (context: Context) => string = requestIdOrRandom,
): SiteRunMiddleware {
  return {
    name: 'license-steward-start-run',
    before: (request) => {
      const runId = newRunId(request.context);
      logger.appendKeys({ runId });
      const site = siteForEvent(config, request.event);
      logger.appendKeys({ site: site.name });
      request.context.siteRun = { site, runId };
    },
  };
}

export function runOf(context: SiteRunContext): SiteRun {
  if (!context.siteRun) throw new Error('the startRun middleware did not run');
  return context.siteRun;
}
