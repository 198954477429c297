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
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { SiteConfig } from '#shared/config/schema.ts';
import {
  CLOUDWATCH_METRIC,
  LICENSE_TYPE,
  RELEASE_DEFERRED_METRIC,
  RELEASE_FAILED_METRIC,
} from '#shared/names.ts';
import { releaseSum } from './release-metrics.ts';
import type { SiteMetric } from './site-metric.ts';

export interface AlarmSpec {
  id: string;
  metric: IMetric;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  treatMissingData: TreatMissingData;
  description: string;
}

const PERIOD = Duration.hours(1);

export function releaseAlarms(site: SiteConfig, metric: SiteMetric): AlarmSpec[] {
  const atLeastOne = {
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  };
  return [
    {
      id: `${site.name}-release-failed`,
      metric: releaseSum(site, RELEASE_FAILED_METRIC, 'Failed releases', metric, PERIOD),
      ...atLeastOne,
      description: `Site ${site.name}: a license release (DELETE) failed. See the license-release log for the allocation and the error.`,
    },
    {
      id: `${site.name}-release-deferred`,
      metric: releaseSum(site, RELEASE_DEFERRED_METRIC, 'Deferred releases', metric, PERIOD),
      ...atLeastOne,
      description: `Site ${site.name}: the release run ran out of time and left allocations for the next run. Raise aws.functions.release.timeoutSeconds, or lower licenseRelease.maxReleasesPerRun; the log lists what was deferred.`,
    },
  ];
}

export function expiryUnreadableAlarm(site: SiteConfig, metric: SiteMetric): AlarmSpec {
  return {
    id: `${site.name}-license-expiry-unreadable`,
    metric: metric(
      CLOUDWATCH_METRIC.licenseExpiryUnreadable,
      LICENSE_TYPE.license,
      Stats.MAXIMUM,
      PERIOD,
    ),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    // Missing data keeps the state, like the expiry alarm: a daily monitor must not flap to OK.
    treatMissingData: TreatMissingData.IGNORE,
    description: `Site ${site.name}: the license has a problem: its expiry date could not be read (so the license-expiry alarm cannot warn), or QRS reports it expired or invalid. Check the license in the QMC and the license-monitor log.`,
  };
}
