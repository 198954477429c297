/**
 * The alarms on what a run reports but nobody would notice: DELETEs that failed, releases
 * deferred because the function's time ran out (released only by a later run, if it has more
 * time), and a signed license key whose expiry cannot be read (the expiry alarm then has nothing
 * to compare). Built here, added by StewardMonitoring with its topic and naming.
 */
import { Duration } from 'aws-cdk-lib';
import {
  ComparisonOperator,
  type IMetric,
  MathExpression,
  type Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { SiteConfig } from '#shared/config/schema.ts';
import { CLOUDWATCH_METRIC, LICENSE_TYPE } from '#shared/sinks/metric-names.ts';
import { RELEASE_DEFERRED_METRIC, RELEASE_FAILED_METRIC } from '#shared/sinks/release-metrics.ts';

export interface AlarmSpec {
  id: string;
  metric: IMetric;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  treatMissingData: TreatMissingData;
  description: string;
}

/** (metric name, LicenseType dimension, statistic, period) → the site's metric. */
export type SiteMetric = (
  name: string,
  licenseType: string,
  statistic: string,
  period: Duration,
) => Metric;

const PERIOD = Duration.hours(1);

/** Any professional or analyzer count of `name` in the hour. */
function anyRelease(name: string, label: string, metric: SiteMetric): MathExpression {
  const of = (type: 'professional' | 'analyzer') =>
    metric(name, LICENSE_TYPE[type], Stats.SUM, PERIOD);
  return new MathExpression({
    expression: 'FILL(professional, 0) + FILL(analyzer, 0)',
    usingMetrics: { professional: of('professional'), analyzer: of('analyzer') },
    period: PERIOD,
    label,
  });
}

export function releaseAlarms(site: SiteConfig, metric: SiteMetric): AlarmSpec[] {
  const atLeastOne = {
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  };
  return [
    {
      id: `${site.name}-release-failed`,
      metric: anyRelease(RELEASE_FAILED_METRIC, 'Failed releases', metric),
      ...atLeastOne,
      description: `Site ${site.name}: a license release (DELETE) failed. See the license-release log for the allocation and the error.`,
    },
    {
      id: `${site.name}-release-deferred`,
      metric: anyRelease(RELEASE_DEFERRED_METRIC, 'Deferred releases', metric),
      ...atLeastOne,
      description: `Site ${site.name}: the release run ran out of time and left allocations for the next run. Raise aws.functions.release.timeoutSeconds, or lower licenseRelease.maxReleasesPerRun; the log lists what was deferred.`,
    },
  ];
}

export function expiryUnreadableAlarm(site: SiteConfig, metric: SiteMetric): AlarmSpec {
  return {
    id: `${site.name}-license-expiry-unreadable`,
    metric: metric(CLOUDWATCH_METRIC.expiryUnreadable, LICENSE_TYPE.license, Stats.MAXIMUM, PERIOD),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    description: `Site ${site.name}: the expiry date of the signed license key could not be read, so the license-expiry alarm cannot warn. Check the license in the QMC and the license-monitor log.`,
  };
}
