/**
 * Lambda entry of the license monitor. Everything is built once per cold start: the config the
 * CDK inlined into the bundle, the logger, the metric sinks and their AWS clients.
 */
import { configFromEnv } from '#shared/lambda/config-from-env.ts';
import { createLambdaLogger } from '#shared/observability/logger.ts';
import { createServiceMetrics } from '#shared/observability/metrics.ts';
import { usageSinksFromConfig } from '#shared/sinks/from-config.ts';
import { createTimestreamClient } from '#shared/sinks/timestream.ts';
import { createMonitorHandler } from './create-handler.ts';

const config = configFromEnv();
const logger = createLambdaLogger();
const sinks = usageSinksFromConfig(config.destinations, {
  timestream: createTimestreamClient,
  metrics: () => createServiceMetrics(config.destinations.cloudwatch.namespace, logger),
});

export const handler = createMonitorHandler({ config, logger, sinks });
