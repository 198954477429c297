/**
 * The one builder of sinks: from `destinations`, both kinds at once, the usage sinks (monitor) and
 * the release sinks (release run), each destination's two writers side by side. A destination's
 * code (the Timestream SDK, Powertools Metrics, the InfluxDB writer) is imported only when it is
 * on, so a function pays at cold start only for what it writes to; a client is made on the first
 * write of a destination that is on (shared/aws-clients.ts), and shared by its two writers. The
 * release report (SNS) comes last among the release sinks, so it can say which sinks failed.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import { type ClientProvider, lazyClient } from '#shared/aws-clients.ts';
import type { DestinationsConfig } from '#shared/config/schema.ts';
import type { ReleaseSink, UsageSink } from '#shared/licensing/sinks.ts';
import type { MetricsLogger } from '#shared/observability/metrics.ts';
import type { SsmReader } from '#shared/secrets/ssm-reader.ts';
import type { PutMetricData } from './cloudwatch/put-metric-data.ts';
import type { InfluxDbWriter } from './influxdb/writer.ts';
import type { ReportSites } from './release-report/sns.ts';

export interface SinkClients {
  /** Default: a Timestream client with the project's deadlines. */
  timestream?: ClientProvider<TimestreamWriteClient>;
  /** The release report's SNS client (default: with the project's deadlines). */
  sns?: ClientProvider<Pick<SNSClient, 'send'>>;
  /** Default: Powertools Metrics (EMF) in `destinations.cloudwatch.namespace`. */
  metrics?: () => Metrics;
  /**
   * CloudWatch through the `PutMetricData` API instead of EMF, which becomes metrics only inside
   * Lambda: the CLI's `--write` (shared/sinks/cloudwatch/client.ts makes one).
   */
  putMetricData?: () => { send: PutMetricData; close?: () => void };
  /** Default: built from `destinations.influxdb` (token from its source on the first write). */
  influxdb?: () => InfluxDbWriter;
  /** For the InfluxDB token in SSM: the function's one reader. */
  ssm?: SsmReader;
  /** Where Powertools Metrics reports its own problems. */
  logger?: MetricsLogger;
}

/**
 * The release report: the sites' report settings and the environment that names the topic (the
 * CDK app sets it on the release function only; without it, no report sink).
 */
export interface ReleaseReportSource {
  sites: ReportSites;
  env?: NodeJS.ProcessEnv;
}

/** `destinations`; `influxdb` may be left out (then off). */
export type SinkDestinations = Omit<DestinationsConfig, 'influxdb'> &
  Partial<Pick<DestinationsConfig, 'influxdb'>>;

export interface Sinks {
  usage: UsageSink[];
  release: ReleaseSink[];
  /** Lets go of the clients made (kept-alive sockets), for a process that ends after its run. */
  close(): void;
}

export async function sinksFromConfig(
  destinations: SinkDestinations,
  clients: SinkClients = {},
  releaseReport?: ReleaseReportSource,
): Promise<Sinks> {
  const closers: Array<() => void> = [];
  const close = () => {
    for (const closeOne of closers) closeOne();
  };
  const sinks: Sinks = { usage: [], release: [], close };
  const { timestream, cloudwatch, influxdb, tags } = destinations;
  if (timestream.enable) {
    const [{ createTimestreamClient }, { timestreamUsageSink }, { timestreamReleaseSink }] =
      await Promise.all([
        import('./timestream/client.ts'),
        import('./timestream/usage.ts'),
        import('./timestream/release.ts'),
      ]);
    const client = lazyClient(clients.timestream ?? createTimestreamClient);
    closers.push(() => client.ifMade((made) => made.destroy()));
    const { database } = timestream;
    sinks.usage.push(timestreamUsageSink(client, { database, table: timestream.usageTable }, tags));
    sinks.release.push(
      timestreamReleaseSink(client, { database, table: timestream.releaseTable }, tags),
    );
  }
  if (cloudwatch.enable && clients.putMetricData) {
    const { putMetricDataReleaseSink, putMetricDataUsageSink } = await import(
      './cloudwatch/put-metric-data.ts'
    );
    const { send, close } = clients.putMetricData();
    if (close) closers.push(close);
    sinks.usage.push(putMetricDataUsageSink(send, cloudwatch.namespace));
    sinks.release.push(putMetricDataReleaseSink(send, cloudwatch.namespace));
  } else if (cloudwatch.enable) {
    const [{ createServiceMetrics }, { cloudWatchUsageSink }, { cloudWatchReleaseSink }] =
      await Promise.all([
        import('#shared/observability/metrics.ts'),
        import('./cloudwatch/usage.ts'),
        import('./cloudwatch/release.ts'),
      ]);
    const metrics =
      clients.metrics?.() ?? createServiceMetrics(cloudwatch.namespace, clients.logger);
    sinks.usage.push(cloudWatchUsageSink(metrics));
    sinks.release.push(cloudWatchReleaseSink(metrics));
  }
  if (influxdb?.enable) {
    const [{ influxDbWriterFromConfig, influxStaticTags }, { influxDbUsageSink }, release] =
      await Promise.all([
        import('./influxdb/from-config.ts'),
        import('./influxdb/usage.ts'),
        import('./influxdb/release.ts'),
      ]);
    const writer =
      clients.influxdb?.() ??
      influxDbWriterFromConfig(influxdb, clients.ssm ? { ssm: clients.ssm } : {});
    closers.push(() => writer.close());
    const staticTags = influxStaticTags(destinations);
    sinks.usage.push(influxDbUsageSink(writer, staticTags));
    sinks.release.push(release.influxDbReleaseSink(writer, staticTags));
  }
  if (releaseReport) {
    const { createSnsClient, reportSinksFromEnv } = await import('./release-report/sns.ts');
    const { sites, env = process.env } = releaseReport;
    sinks.release.push(...reportSinksFromEnv(sites, env, clients.sns ?? createSnsClient));
  }
  return sinks;
}
