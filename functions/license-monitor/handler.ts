/**
 * Lambda entry of the license monitor. Built once per cold start: the config the CDK inlined into
 * the bundle, the logger, the SSM reader (certificates and the InfluxDB token, kept 15 minutes)
 * and the sinks of `destinations` (top-level await: a destination's code is imported only when
 * on).
 */
import { configFromEnv } from '#shared/lambda/config-from-env.ts';
import { createLambdaLogger } from '#shared/observability/logger.ts';
import { newSsmClient, SECRET_CACHE_MS, SsmReader } from '#shared/secrets/ssm-reader.ts';
import { sinksFromConfig } from '#shared/sinks/from-config.ts';
import { createMonitorHandler } from './create-handler.ts';

const config = configFromEnv();
const logger = createLambdaLogger();
const ssm = new SsmReader(newSsmClient, { cacheMs: SECRET_CACHE_MS });
const { usage } = await sinksFromConfig(config.destinations, { ssm, logger });

export const handler = createMonitorHandler({ config, logger, sinks: usage, ssm });
