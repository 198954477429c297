/**
 * Lambda entry of license release. Built once per cold start: the config the CDK inlined into the
 * bundle, the logger, the SSM reader (certificates and the InfluxDB token, kept 15 minutes), the
 * sinks of `destinations` (top-level await: a destination's code is imported only when it is on),
 * the release report (when the stack gave the topic) and the run ledger (the table in
 * LICENSE_STEWARD_RUNS_TABLE).
 */
import { configFromEnv } from '#shared/lambda/config-from-env.ts';
import { runLedgerFromEnv } from '#shared/lambda/run-ledger.ts';
import { createLambdaLogger } from '#shared/observability/logger.ts';
import { newSsmClient, SECRET_CACHE_MS, SsmReader } from '#shared/secrets/ssm-reader.ts';
import { sinksFromConfig } from '#shared/sinks/from-config.ts';
import { createReleaseHandler } from './create-handler.ts';

const config = configFromEnv();
const logger = createLambdaLogger();
const ssm = new SsmReader(newSsmClient, { cacheMs: SECRET_CACHE_MS });
const { release: sinks } = await sinksFromConfig(
  config.destinations,
  { ssm, logger },
  { sites: config.sites },
);

const ledger = runLedgerFromEnv();

export const handler = createReleaseHandler({ config, logger, sinks, ssm, ledger });
