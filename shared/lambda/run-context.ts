/**
 * What the middy chain puts on the Lambda context, typed for the handler at the end of it:
 * `startRun` (first, for both functions) sets the site the scheduled event names, the parsed event
 * and a run id, and puts site and run id on every log line from there on (the SSM read included);
 * `siteCertificates` then sets whether the job is on for the site, with the site's certificates
 * when it is. A handler after both has its TLS material whenever the job is on.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import type { QrsTlsMaterial } from '#shared/qrs/client.ts';
import { type SiteEvent, siteForEvent } from './site-event.ts';

export interface SiteRun {
  site: SiteConfig;
  runId: string;
  event: SiteEvent;
}

/** The job on with the site's certificates, or off with the reason (naming the key). */
export type SiteJobState =
  | { enabled: true; tls: QrsTlsMaterial }
  | { enabled: false; reason: string };

/** The Lambda context once `startRun` and `siteCertificates` have run. */
export interface SiteRunContext extends Context {
  siteRun: SiteRun;
  siteJob: SiteJobState;
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
      const { site, event } = siteForEvent(config, request.event);
      logger.appendKeys({ site: site.name });
      request.context.siteRun = { site, runId, event };
    },
  };
}
