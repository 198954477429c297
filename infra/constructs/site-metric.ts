/**
 * One site's license metrics, as the dashboard and the alarms read them: the sinks publish every
 * metric with exactly the `Site` and `LicenseType` dimensions (shared/names.ts), so a metric is
 * named by its metric name and license type alone.
 */
import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { CLOUDWATCH_DIMENSION } from '#shared/names.ts';

/** Levels (counts, days) are read as the hour's minimum: the lowest the pool went. */
export const LEVEL_PERIOD = Duration.hours(1);

/** (metric name, LicenseType dimension, statistic, period, label?) → the site's metric. */
export type SiteMetric = (
  name: string,
  licenseType: string,
  statistic: string,
  period: Duration,
  label?: string,
) => Metric;

export function siteMetric(namespace: string, site: string): SiteMetric {
  return (metricName, licenseType, statistic, period, label) =>
    new Metric({
      namespace,
      metricName,
      dimensionsMap: {
        [CLOUDWATCH_DIMENSION.site]: site,
        [CLOUDWATCH_DIMENSION.licenseType]: licenseType,
      },
      statistic,
      period,
      ...(label ? { label } : {}),
    });
}
