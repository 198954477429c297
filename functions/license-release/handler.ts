/**
 * Lambda entry of license release. Everything is built once per cold start: the config the CDK
 * inlined into the bundle, the logger, the release sinks (and the release report, when the stack
 * gave the topic) and their AWS clients. The InfluxDB token is read from SSM on the first write
 * and kept for 15 minutes (influxdb-from-config.ts).
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { configFromEnv } from '#shared/lambda/config-from-env.ts';
import { createLambdaLogger } from '#shared/observability/logger.ts';
import { influxDbWriterFromConfig } from '#shared/sinks/influxdb-from-config.ts';
import { releaseSinksFromConfig } from '#shared/sinks/release-sinks.ts';
import { reportSinksFromEnv } from '#shared/sinks/sns-report.ts';
import { createTimestreamClient } from '#shared/sinks/timestream.ts';
import { createReleaseHandler } from './create-handler.ts';

const config = configFromEnv();
const logger = createLambdaLogger();
const sinks = [
  ...releaseSinksFromConfig(config.destinations, {
    timestream: createTimestreamClient,
    logger,
    influxdb: () =>
      influxDbWriterFromConfig(config.destinations.influxdb, { ssm: () => new SSMClient({}) }),
  }),
  // Last, so the report can say which of the sinks above failed.
  ...reportSinksFromEnv(config.sites),
];

export const handler = createReleaseHandler({ config, logger, sinks });
