/**
 * Lambda entry of the license monitor. Everything is built once per cold start: the config the
 * CDK inlined into the bundle, the logger, the metric sinks and their AWS clients. The InfluxDB
 * token is read from SSM on the first write and kept for 15 minutes (influxdb-from-config.ts).
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { configFromEnv } from '#shared/lambda/config-from-env.ts';
import { createLambdaLogger } from '#shared/observability/logger.ts';
import { createServiceMetrics } from '#shared/observability/metrics.ts';
import { usageSinksFromConfig } from '#shared/sinks/from-config.ts';
import { influxDbWriterFromConfig } from '#shared/sinks/influxdb-from-config.ts';
import { createTimestreamClient } from '#shared/sinks/timestream.ts';
import { createMonitorHandler } from './create-handler.ts';

const config = configFromEnv();
const logger = createLambdaLogger();
const sinks = usageSinksFromConfig(config.destinations, {
  timestream: createTimestreamClient,
  metrics: () => createServiceMetrics(config.destinations.cloudwatch.namespace, logger),
  influxdb: () =>
    influxDbWriterFromConfig(config.destinations.influxdb, { ssm: () => new SSMClient({}) }),
});

export const handler = createMonitorHandler({ config, logger, sinks });
