/**
 * CloudWatch metrics of a release run, as EMF through Powertools Metrics: per license type, with
 * exactly the dimensions `Site` and `LicenseType` (Powertools' default `service` dimension is
 * dropped, so alarms match on these two only). The names are in `shared/names.ts`.
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SiteReleaseResult } from '#shared/licensing/release/types.ts';
import type { CompletedReleaseRun, ReleaseSink } from '#shared/licensing/sinks.ts';
import {
  CLOUDWATCH_DIMENSION,
  RELEASE_CANDIDATES_METRIC,
  RELEASE_DEFERRED_METRIC,
  RELEASE_FAILED_METRIC,
  RELEASED_METRIC,
  type ReleaseMetricName,
  USER_TABLE_NOT_TRUSTED_METRIC,
} from '#shared/names.ts';
import type { LicenseType } from '#shared/qrs/allocation.ts';

/** `Site` and `LicenseType`, the same dimensions as the usage metrics. */
const SITE_DIMENSION = CLOUDWATCH_DIMENSION.site;
const LICENSE_TYPE_DIMENSION = CLOUDWATCH_DIMENSION.licenseType;

/** The counts per license type; types with nothing to count still report 0 (alarms need data). */
export function releaseCounts(
  result: SiteReleaseResult,
  types: readonly LicenseType[],
): Map<LicenseType, Record<ReleaseMetricName, number>> {
  const counts = new Map(
    types.map((type) => [
      type,
      {
        [RELEASE_CANDIDATES_METRIC]: 0,
        [RELEASED_METRIC]: 0,
        [RELEASE_FAILED_METRIC]: 0,
        [RELEASE_DEFERRED_METRIC]: 0,
        [USER_TABLE_NOT_TRUSTED_METRIC]: result.userTableNotTrusted ? 1 : 0,
      },
    ]),
  );
  const add = (items: ReadonlyArray<{ licenseType: LicenseType }>, metric: string) => {
    for (const item of items) {
      const entry = counts.get(item.licenseType) as Record<string, number> | undefined;
      if (entry) entry[metric] = (entry[metric] ?? 0) + 1;
    }
  };
  add(result.candidates, RELEASE_CANDIDATES_METRIC);
  add(result.released, RELEASED_METRIC);
  add(result.failed, RELEASE_FAILED_METRIC);
  add(result.deferred, RELEASE_DEFERRED_METRIC);
  return counts;
}

export function publishReleaseMetrics(metrics: Metrics, run: CompletedReleaseRun): void {
  for (const [type, counts] of releaseCounts(run.result, run.licenseTypes)) {
    metrics.addDimension(SITE_DIMENSION, run.result.site);
    metrics.addDimension(LICENSE_TYPE_DIMENSION, type);
    // Context for Logs Insights, not dimensions (each dimension value multiplies metric cost).
    metrics.addMetadata('runId', run.runId);
    metrics.addMetadata('dryRun', String(run.result.dryRun));
    for (const [name, value] of Object.entries(counts))
      metrics.addMetric(name, MetricUnit.Count, value);
    metrics.publishStoredMetrics();
  }
}

export function cloudWatchReleaseSink(metrics: Metrics): ReleaseSink {
  return {
    name: 'cloudwatch',
    async write(run) {
      publishReleaseMetrics(metrics, run);
    },
  };
}
