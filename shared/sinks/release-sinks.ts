/**
 * The release sinks `destinations` enables (besides the log, which is always written): Timestream
 * release records, CloudWatch metrics and InfluxDB points. Clients are made only for the sinks
 * that are on.
 */
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import type { ReleaseSink } from '#shared/licensing/release/run.ts';
import { createServiceMetrics } from '#shared/observability/metrics.ts';
import type { SinkDestinations } from './from-config.ts';
import { influxDbWriterFromConfig, influxStaticTags } from './influxdb-from-config.ts';
import { influxDbReleaseSink } from './influxdb-release.ts';
import type { InfluxDbWriter } from './influxdb-writer.ts';
import { cloudWatchReleaseSink } from './release-metrics.ts';
import { timestreamReleaseSink } from './release-records.ts';

type MetricsLogger = Parameters<typeof createServiceMetrics>[1];

export function releaseSinksFromConfig(
  destinations: SinkDestinations,
  clients: {
    timestream: () => TimestreamWriteClient;
    logger?: MetricsLogger;
    /** Default: built from `destinations.influxdb` (token from its source on the first write). */
    influxdb?: () => InfluxDbWriter;
  },
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
  const influxdb = destinations.influxdb;
  if (influxdb?.enable) {
    const writer = clients.influxdb?.() ?? influxDbWriterFromConfig(influxdb);
    sinks.push(influxDbReleaseSink(writer, influxStaticTags(destinations)));
  }
  return sinks;
}
