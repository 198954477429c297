/**
 * The release sinks `destinations` enables (besides the log, which is always written): Timestream
 * release records and CloudWatch metrics. Clients are made only for the sinks that are on.
 */
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import type { DestinationsConfig } from '#shared/config/schema.ts';
import type { ReleaseSink } from '#shared/licensing/release/run.ts';
import { createServiceMetrics } from '#shared/observability/metrics.ts';
import { cloudWatchReleaseSink } from './release-metrics.ts';
import { timestreamReleaseSink } from './release-records.ts';

type MetricsLogger = Parameters<typeof createServiceMetrics>[1];

export function releaseSinksFromConfig(
  destinations: DestinationsConfig,
  clients: { timestream: () => TimestreamWriteClient; logger?: MetricsLogger },
): ReleaseSink[] {
  const sinks: ReleaseSink[] = [];
  if (destinations.timestream.enable) {
    let client: TimestreamWriteClient | undefined;
    sinks.push(
      timestreamReleaseSink(
        () => {
          client ??= clients.timestream();
          return client;
        },
        { database: destinations.timestream.database, table: destinations.timestream.releaseTable },
        destinations.tags,
      ),
    );
  }
  if (destinations.cloudwatch.enable)
    sinks.push(
      cloudWatchReleaseSink(
        createServiceMetrics(destinations.cloudwatch.namespace, clients.logger),
      ),
    );
  return sinks;
}
