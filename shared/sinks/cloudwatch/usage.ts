/**
 * The CloudWatch sink: Embedded Metric Format through Powertools Metrics, one EMF document per
 * license type with dimensions `Site` and `LicenseType`, stamped with the snapshot's time.
 * Disabled license types and values the server did not report emit nothing (an alarm on
 * `Available` must not fire on a made-up zero).
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import type { UsageSink } from '#shared/licensing/sinks.ts';
import {
  CLOUDWATCH_DIMENSION,
  CLOUDWATCH_METRIC,
  type CloudWatchMetricName,
  LICENSE_TYPE,
  type LicenseTypeDimension,
} from '#shared/names.ts';

export type MetricValue = [name: CloudWatchMetricName, value: number | null];
export type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

export function cloudWatchUsageSink(metrics: Metrics): UsageSink {
  return {
    name: 'cloudwatch',
    async write(snapshot: LicenseSnapshot): Promise<void> {
      for (const [licenseType, values, unit] of metricGroups(snapshot)) {
        const present = values.filter(
          (entry): entry is [CloudWatchMetricName, number] => entry[1] !== null,
        );
        if (present.length === 0) continue;
        try {
          metrics.setTimestamp(new Date(snapshot.collectedAt));
          metrics.addDimension(CLOUDWATCH_DIMENSION.site, snapshot.site);
          metrics.addDimension(CLOUDWATCH_DIMENSION.licenseType, licenseType);
          for (const [name, value] of present) metrics.addMetric(name, unit, value);
          metrics.publishStoredMetrics();
        } catch (error) {
          // Leave nothing half-built behind for the next (warm) invocation.
          metrics.clearMetrics();
          metrics.clearDimensions();
          throw error;
        }
      }
    },
  };
}

/** The metrics of a snapshot per license type, with their unit (also for PutMetricData). */
export function metricGroups(
  snapshot: LicenseSnapshot,
): Array<[LicenseTypeDimension, MetricValue[], Unit]> {
  const groups: Array<[LicenseTypeDimension, MetricValue[], Unit]> = [];
  const { professional, analyzer, analyzerCapacity, tokens, license } = snapshot;
  for (const [licenseType, usage] of [
    [LICENSE_TYPE.professional, professional],
    [LICENSE_TYPE.analyzer, analyzer],
  ] as const) {
    if (!usage || usage.enabled === false) continue;
    groups.push([
      licenseType,
      [
        [CLOUDWATCH_METRIC.total, usage.total],
        [CLOUDWATCH_METRIC.allocated, usage.allocated],
        [CLOUDWATCH_METRIC.used, usage.used],
        [CLOUDWATCH_METRIC.quarantined, usage.quarantined],
        [CLOUDWATCH_METRIC.excess, usage.excess],
        [CLOUDWATCH_METRIC.available, usage.available],
      ],
      MetricUnit.Count,
    ]);
  }
  if (analyzerCapacity && analyzerCapacity.enabled !== false) {
    groups.push([
      LICENSE_TYPE.analyzerCapacity,
      [
        [CLOUDWATCH_METRIC.allocatedMinutes, analyzerCapacity.allocatedMinutes],
        [CLOUDWATCH_METRIC.usedMinutes, analyzerCapacity.usedMinutes],
        [CLOUDWATCH_METRIC.unavailableMinutes, analyzerCapacity.unavailableMinutes],
      ],
      // CloudWatch has no minutes unit; the metric names say it.
      MetricUnit.NoUnit,
    ]);
  }
  if (tokens && tokens.enabled !== false) {
    groups.push([
      LICENSE_TYPE.tokens,
      [
        [CLOUDWATCH_METRIC.total, tokens.total],
        [CLOUDWATCH_METRIC.available, tokens.available],
      ],
      MetricUnit.Count,
    ]);
  }
  if (license) {
    groups.push([
      LICENSE_TYPE.license,
      [
        [CLOUDWATCH_METRIC.daysUntilExpiry, license.daysUntilExpiry],
        [CLOUDWATCH_METRIC.licenseExpiryUnreadable, license.problem ? 1 : 0],
      ],
      MetricUnit.NoUnit,
    ]);
  }
  return groups;
}
