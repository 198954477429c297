/**
 * The sinks of a CLI run: none (the default: the CLI prints and writes nowhere), or with `--write`
 * every destination `destinations` enables, the same sinks and records as the Lambda functions.
 * CloudWatch goes through `PutMetricData` here, since EMF on stdout becomes metrics only inside
 * Lambda (docs/without-aws.md). Secrets may come from `file` or `env` (the deployment needs SSM).
 */
import type { Config } from '#shared/config/schema.ts';
import type { RunLogger } from '#shared/observability/logger.ts';
import { createPutMetricData } from '#shared/sinks/cloudwatch/client.ts';
import { type Sinks, sinksFromConfig } from '#shared/sinks/from-config.ts';
import { UsageError } from './io.ts';

const NO_SINKS: Sinks = { usage: [], release: [], close: () => {} };

export async function cliSinks(config: Config, write: boolean, logger: RunLogger): Promise<Sinks> {
  if (!write) return NO_SINKS;
  const { timestream, cloudwatch, influxdb } = config.destinations;
  const enabled = [
    ...(influxdb.enable ? ['influxdb'] : []),
    ...(timestream.enable ? ['timestream'] : []),
    ...(cloudwatch.enable ? ['cloudwatch'] : []),
  ];
  if (enabled.length === 0)
    throw new UsageError(
      '--write: no destination is enabled (destinations.influxdb, timestream or cloudwatch)',
    );
  logger.info(`--write: the run's data goes to ${enabled.join(', ')}`);
  return sinksFromConfig(config.destinations, { putMetricData: () => createPutMetricData() });
}
