/**
 * One site's rows on the dashboard: a header with its schedules and time zone, the pools of each
 * license type against their alarm thresholds, the license's expiry, analyzer capacity, tokens and
 * releases per day. The alarms are added by StewardMonitoring (monitoring.ts).
 */
import { Duration } from 'aws-cdk-lib';
import { GraphWidget, type IWidget, Stats, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { SiteConfig } from '#shared/config/schema.ts';
import { siteJob } from '#shared/config/site-job.ts';
import { CLOUDWATCH_METRIC, LICENSE_TYPE } from '#shared/names.ts';
import { releaseMetrics } from './release-metrics.ts';
import { LEVEL_PERIOD, type SiteMetric } from './site-metric.ts';

export function siteDashboardRows(site: SiteConfig, metric: SiteMetric): IWidget[][] {
  const level = (name: string, type: string, label: string) =>
    metric(name, type, Stats.MINIMUM, LEVEL_PERIOD, label);
  const rows: IWidget[][] = [];
  rows.push([
    new TextWidget({
      markdown: `## Site ${site.name}\nMonitor: ${scheduleText(site, 'monitor')} · Release: ${scheduleText(site, 'release')} · ${site.timezone}`,
      width: 24,
      height: 2,
    }),
  ]);

  const typeWidgets = (['professional', 'analyzer'] as const).map((type) => {
    const threshold = site.alarms.availableBelow[type];
    return new GraphWidget({
      title: `${site.name} ${type}: allocated vs total, available`,
      left: [
        level(CLOUDWATCH_METRIC.total, LICENSE_TYPE[type], 'Total'),
        level(CLOUDWATCH_METRIC.allocated, LICENSE_TYPE[type], 'Allocated'),
        level(CLOUDWATCH_METRIC.available, LICENSE_TYPE[type], 'Available'),
      ],
      leftAnnotations: [{ value: threshold, label: `alarm below ${threshold}`, color: '#d62728' }],
      leftYAxis: { min: 0 },
      width: 8,
    });
  });
  rows.push([
    ...typeWidgets,
    new GraphWidget({
      title: `${site.name}: days until license expiry`,
      left: [level(CLOUDWATCH_METRIC.daysUntilExpiry, LICENSE_TYPE.license, 'Days until expiry')],
      leftAnnotations: [
        {
          value: site.alarms.expiryWithinDays,
          label: `alarm within ${site.alarms.expiryWithinDays} days`,
          color: '#d62728',
        },
      ],
      leftYAxis: { min: 0 },
      width: 8,
    }),
  ]);

  const day = Duration.days(1);
  rows.push([
    new GraphWidget({
      title: `${site.name}: analyzer capacity (minutes)`,
      left: [
        level(CLOUDWATCH_METRIC.allocatedMinutes, LICENSE_TYPE.analyzerCapacity, 'Allocated'),
        level(CLOUDWATCH_METRIC.usedMinutes, LICENSE_TYPE.analyzerCapacity, 'Used'),
        level(CLOUDWATCH_METRIC.unavailableMinutes, LICENSE_TYPE.analyzerCapacity, 'Unavailable'),
      ],
      leftYAxis: { min: 0 },
      width: 8,
    }),
    new GraphWidget({
      title: `${site.name}: tokens (empty when the site has no tokens)`,
      left: [
        level(CLOUDWATCH_METRIC.total, LICENSE_TYPE.tokens, 'Total'),
        level(CLOUDWATCH_METRIC.available, LICENSE_TYPE.tokens, 'Available'),
      ],
      leftYAxis: { min: 0 },
      width: 8,
    }),
    new GraphWidget({
      title: `${site.name}: releases per day`,
      left: releaseMetrics(site, metric, day),
      leftYAxis: { min: 0 },
      period: day,
      width: 8,
    }),
  ]);
  return rows;
}

/**
 * `rate(15 minutes)`, `cron(0 2 * * ? *) (dry run)`, `… (review: plans only)` or `off`, for the
 * dashboard's site header.
 */
function scheduleText(site: SiteConfig, job: 'monitor' | 'release'): string {
  const state = siteJob(site, job);
  if (!state.enabled) return 'off';
  if (job === 'release' && site.licenseRelease?.mode === 'review')
    return `${state.schedule} (review: plans only)`;
  return job === 'release' && site.licenseRelease?.dryRun
    ? `${state.schedule} (dry run)`
    : state.schedule;
}
