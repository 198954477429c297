/**
 * The sinks of a CLI run: none (the default: the CLI prints and writes nowhere), or with `--write`
 * every destination `destinations` enables, the same sinks and records as the Lambda functions.
 * CloudWatch goes through `PutMetricData` here, since EMF on stdout becomes metrics only inside
 * Lambda (docs/without-aws.md). Secrets may come from `file` or `env` (the deployment needs SSM).
 */
import { explainAwsError } from '#shared/aws-clients.ts';
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
  await requireAwsRegion(enabled.filter((name) => name === 'timestream' || name === 'cloudwatch'));
  logger.info(`--write: the run's data goes to ${enabled.join(', ')}`);
  return sinksFromConfig(config.destinations, { putMetricData: () => createPutMetricData() });
}

/**
 * The AWS destinations need a region: without one, refuse once, before QRS is asked (rather than
 * a "Region is missing" per destination after the run), saying what to set or turn off.
 */
async function requireAwsRegion(destinations: readonly string[]): Promise<void> {
  if (destinations.length === 0) return;
  const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
  const client = new CloudWatchClient({});
  try {
    await client.config.region();
  } catch (error) {
    const off = destinations.map((name) => `destinations.${name}.enable: false`).join(' and ');
    throw new UsageError(
      `--write: ${destinations.join(' and ')}: ${explainAwsError(error as Error, `turn them off: ${off}`).message}`,
    );
  } finally {
    client.destroy();
  }
}
