/**
 * Lambda entry of license release. Everything is built once per cold start: the config the CDK
 * inlined into the bundle, the logger, the release sinks and their AWS clients.
 */
import { configFromEnv } from '#shared/lambda/config-from-env.ts';
import { createLambdaLogger } from '#shared/observability/logger.ts';
import { releaseSinksFromConfig } from '#shared/sinks/release-sinks.ts';
import { createTimestreamClient } from '#shared/sinks/timestream.ts';
import { createReleaseHandler } from './create-handler.ts';

const config = configFromEnv();
const logger = createLambdaLogger();
const sinks = releaseSinksFromConfig(config.destinations, {
  timestream: createTimestreamClient,
  logger,
});

export const handler = createReleaseHandler({ config, logger, sinks });
