/**
 * Lambda entry of license release. Built once per cold start: the config the CDK inlined into the
 * bundle, the logger, the SSM reader (certificates and the InfluxDB token, kept 15 minutes) and
 * the sinks of `destinations` (top-level await: a destination's code is imported only when on).
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { configFromEnv } from '#shared/lambda/config-from-env.ts';
import { createLambdaLogger } from '#shared/observability/logger.ts';
import { SECRET_CACHE_MS, SsmReader } from '#shared/secrets/ssm-reader.ts';
import { sinksFromConfig } from '#shared/sinks/from-config.ts';
import { createReleaseHandler } from './create-handler.ts';

const config = configFromEnv();
const logger = createLambdaLogger();
const ssm = new SsmReader(() => new SSMClient({}), { cacheMs: SECRET_CACHE_MS });
const { release } = await sinksFromConfig(config.destinations, { ssm, logger });

export const handler = createReleaseHandler({ config, logger, sinks: release, ssm });
