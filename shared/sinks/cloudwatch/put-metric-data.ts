/**
 * CloudWatch through the `PutMetricData` API, for the CLI (`--write`): EMF on stdout only becomes
 * metrics inside Lambda. The metrics are exactly the EMF sinks' (usage.ts, release.ts): the same
 * names, the dimensions `Site` and `LicenseType`, values and units; usage stamped with the
 * snapshot's time. The SDK call is passed in (client.ts), so the Lambda bundles, which use EMF, do
 * not carry the CloudWatch client.
 */
import type { MetricDatum, PutMetricDataInput, StandardUnit } from '@aws-sdk/client-cloudwatch';
import type { ReleaseSink, UsageSink } from '#shared/licensing/sinks.ts';
import { CLOUDWATCH_DIMENSION } from '#shared/names.ts';
import { releaseCounts } from './release.ts';
import { metricGroups } from './usage.ts';

/** One `PutMetricData` request. */
export type PutMetricData = (input: PutMetricDataInput) => Promise<unknown>;

/** Metrics per request: well under the API's limit (1,000), as a run has about twenty. */
const BATCH = 150;

export function putMetricDataUsageSink(send: PutMetricData, namespace: string): UsageSink {
  return {
    name: 'cloudwatch',
    async write(snapshot) {
      const timestamp = new Date(snapshot.collectedAt);
      const data: MetricDatum[] = [];
      for (const [licenseType, values, unit] of metricGroups(snapshot)) {
        for (const [name, value] of values) {
          if (value === null) continue;
          data.push({
            MetricName: name,
            Dimensions: dimensions(snapshot.site, licenseType),
            Timestamp: timestamp,
            Value: value,
            Unit: unit as StandardUnit,
          });
        }
      }
      await putAll(send, namespace, data);
    },
  };
}

export function putMetricDataReleaseSink(send: PutMetricData, namespace: string): ReleaseSink {
  return {
    name: 'cloudwatch',
    async write(run) {
      const data: MetricDatum[] = [];
      for (const [type, counts] of releaseCounts(run.result, run.licenseTypes)) {
        for (const [name, value] of Object.entries(counts))
          data.push({
            MetricName: name,
            Dimensions: dimensions(run.result.site, type),
            Value: value,
            Unit: 'Count',
          });
      }
      await putAll(send, namespace, data);
    },
  };
}

function dimensions(site: string, licenseType: string) {
  return [
    { Name: CLOUDWATCH_DIMENSION.site, Value: site },
    { Name: CLOUDWATCH_DIMENSION.licenseType, Value: licenseType },
  ];
}

async function putAll(send: PutMetricData, namespace: string, data: MetricDatum[]): Promise<void> {
  for (let start = 0; start < data.length; start += BATCH)
    await send({ Namespace: namespace, MetricData: data.slice(start, start + BATCH) });
}
