/** The usage sinks `destinations` enables. Clients are made only for the sinks that are on. */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import type { DestinationsConfig } from '../config/schema.ts';
import { cloudWatchUsageSink } from './cloudwatch-usage.ts';
import { timestreamUsageSink } from './timestream-usage.ts';
import type { UsageSink } from './usage-sink.ts';

export interface UsageSinkClients {
  timestream: () => TimestreamWriteClient;
  metrics: () => Metrics;
}

export function usageSinksFromConfig(
  destinations: DestinationsConfig,
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
  return sinks;
}
