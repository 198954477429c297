/**
 * The first middleware of a run: which site the scheduled event names, a run id, and both on
 * every log line from here on (the SSM fetch included).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import { siteForEvent } from '#shared/lambda/site-event.ts';

export interface MonitorRun {
  site: SiteConfig;
  runId: string;
}

/** The Lambda context with the run the `startRun` middleware set on it. */
export interface MonitorContext extends Context {
  monitorRun?: MonitorRun;
}

export function startRun(
  config: Config,
  logger: Logger,
  newRunId: () => string = randomUUID,
): MiddlewareObj<unknown, unknown, Error, MonitorContext> {
  return {
    name: 'license-steward-start-run',
    before: (request) => {
      const runId = newRunId();
      logger.appendKeys({ runId });
      const site = siteForEvent(config, request.event);
      logger.appendKeys({ site: site.name });
      request.context.monitorRun = { site, runId };
    },
  };
}

export function runOf(context: MonitorContext): MonitorRun {
  if (!context.monitorRun) throw new Error('startRun middleware did not run');
  return context.monitorRun;
}
