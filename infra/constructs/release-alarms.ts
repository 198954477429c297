/**
 * The release alarms of one site, for the monitoring construct: a DELETE failed, or releases were
 * deferred because the run's time ran short (the function timeout is too small for the site's
 * `maxReleasesPerRun`, or QRS is slow: docs/release.md). Both sum the professional and analyzer
 * metrics of the last hour.
 */
import type { Duration } from 'aws-cdk-lib';
import {
  ComparisonOperator,
  type IMetric,
  MathExpression,
  type Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { SiteConfig } from '#shared/config/schema.ts';
import { LICENSE_TYPE, RELEASE_DEFERRED_METRIC, RELEASE_FAILED_METRIC } from '#shared/names.ts';

export interface ReleaseAlarmSpec {
  id: string;
  metric: IMetric;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  treatMissingData: TreatMissingData;
  description: string;
}

type SiteMetric = (name: string, type: string, statistic: string, period: Duration) => Metric;

export function releaseAlarms(
  site: SiteConfig,
  metric: SiteMetric,
  period: Duration,
): ReleaseAlarmSpec[] {
  const sum = (name: string, label: string) =>
    new MathExpression({
      expression: 'FILL(professional, 0) + FILL(analyzer, 0)',
      usingMetrics: {
        professional: metric(name, LICENSE_TYPE.professional, Stats.SUM, period),
        analyzer: metric(name, LICENSE_TYPE.analyzer, Stats.SUM, period),
      },
      period,
      label,
    });
  const atLeastOne = {
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  };
  return [
    {
      id: `${site.name}-release-failed`,
      metric: sum(RELEASE_FAILED_METRIC, 'Failed releases'),
      ...atLeastOne,
      description: `Site ${site.name}: a license release (DELETE) failed. See the license-release log for the allocation and the error.`,
    },
    {
      id: `${site.name}-release-deferred`,
      metric: sum(RELEASE_DEFERRED_METRIC, 'Deferred releases'),
      ...atLeastOne,
      description: `Site ${site.name}: a release run ran short of time and deferred releases to the next run. Raise aws.functions.release.timeoutSeconds or lower licenseRelease.maxReleasesPerRun / deleteConcurrency; check QRS response times in the log.`,
    },
  ];
}
