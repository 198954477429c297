/**
 * Which release types a site's dashboard and release alarm cover: those its `licenseRelease`
 * enables (user access passes only on a token site that turns them on), else Professional and
 * Analyzer, so a site whose release is off still has its (empty) graph.
 */
import type { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { SiteConfig } from '#shared/config/schema.ts';
import {
  LICENSE_TYPE,
  RELEASE_CANDIDATES_METRIC,
  RELEASE_DEFERRED_METRIC,
  RELEASE_FAILED_METRIC,
  RELEASE_LICENSE_TYPES,
  RELEASED_METRIC,
  type ReleaseLicenseType,
} from '#shared/names.ts';
import type { SiteMetric } from './site-metric.ts';

export function releaseTypesOf(site: SiteConfig): ReleaseLicenseType[] {
  const rules = site.licenseRelease?.licenseType;
  const enabled = rules ? RELEASE_LICENSE_TYPES.filter((type) => rules[type].enable) : [];
  return enabled.length > 0 ? enabled : ['professional', 'analyzer'];
}

/** Released, failed, candidates and deferred per type, summed per `period`. */
export function releaseMetrics(site: SiteConfig, metric: SiteMetric, period: Duration): IMetric[] {
  return releaseTypesOf(site).flatMap((type) => [
    metric(RELEASED_METRIC, LICENSE_TYPE[type], Stats.SUM, period, `Released ${type}`),
    metric(RELEASE_FAILED_METRIC, LICENSE_TYPE[type], Stats.SUM, period, `Failed ${type}`),
    metric(RELEASE_CANDIDATES_METRIC, LICENSE_TYPE[type], Stats.SUM, period, `Candidates ${type}`),
    metric(RELEASE_DEFERRED_METRIC, LICENSE_TYPE[type], Stats.SUM, period, `Deferred ${type}`),
  ]);
}

/**
 * `FILL(professional, 0) + FILL(analyzer, 0) [+ FILL(userAccess, 0)]`: one release metric (failed,
 * deferred, ...) summed over the site's release types.
 */
export function releaseSum(
  site: SiteConfig,
  name: string,
  label: string,
  metric: SiteMetric,
  period: Duration,
): IMetric {
  const types = releaseTypesOf(site);
  return new MathExpression({
    expression: types.map((type) => `FILL(${type}, 0)`).join(' + '),
    usingMetrics: Object.fromEntries(
      types.map((type) => [type, metric(name, LICENSE_TYPE[type], Stats.SUM, period)]),
    ),
    period,
    label,
  });
}
