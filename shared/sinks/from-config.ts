/** The usage sinks `destinations` enables. Clients are made only for the sinks that are on. */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import type { DestinationsConfig } from '../config/schema.ts';
import { cloudWatchUsageSink } from './cloudwatch-usage.ts';
import { influxDbWriterFromConfig, influxStaticTags } from './influxdb-from-config.ts';
import { influxDbUsageSink } from './influxdb-usage.ts';
import type { InfluxDbWriter } from './influxdb-writer.ts';
import { timestreamUsageSink } from './timestream-usage.ts';
import type { UsageSink } from './usage-sink.ts';

export interface UsageSinkClients {
  timestream: () => TimestreamWriteClient;
  metrics: () => Metrics;
  /** Default: built from `destinations.influxdb` (token from its source on the first write). */
  influxdb?: () => InfluxDbWriter;
}

/** `destinations`; `influxdb` may be left out (then off). */
export type SinkDestinations = Omit<DestinationsConfig, 'influxdb'> &
  Partial<Pick<DestinationsConfig, 'influxdb'>>;

export function usageSinksFromConfig(
  destinations: SinkDestinations,
  clients: UsageSinkClients,
): UsageSink[] {
  const sinks: UsageSink[] = [];
  if (destinations.timestream.enable) {
    sinks.push(
      timestreamUsageSink(
        clients.timestream(),
        { database: destinations.timestream.database, table: destinations.timestream.usageTable },
        destinations.tags,
      ),
    );
  }
  if (destinations.cloudwatch.enable) sinks.push(cloudWatchUsageSink(clients.metrics()));
  const influxdb = destinations.influxdb;
  if (influxdb?.enable) {
    const writer = clients.influxdb?.() ?? influxDbWriterFromConfig(influxdb);
    sinks.push(influxDbUsageSink(writer, influxStaticTags(destinations)));
  }
  return sinks;
}
