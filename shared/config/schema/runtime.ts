/**
 * The configuration the Lambda functions run on: the sites (without their `aws:` block) and the
 * destinations. The deployment settings (account, network ids, alarm e-mail addresses, KMS key
 * ARNs) stay with the CDK app: they are neither inlined into a bundle nor validated there, and
 * this module does not import their schema, so its code is not bundled either.
 */
import { z } from 'zod';
import { INFLUX_RESERVED_TAG_NAMES } from '#shared/names.ts';
import { destinationsSchema } from './destinations.ts';
import { deploymentOnly, runtimeSiteSchema } from './site.ts';

/** The clock tolerance may be at most this share of the smallest release threshold. */
export const MAX_CLOCK_SKEW_SHARE_OF_THRESHOLD = 0.01;

type ClockSite = {
  name: string;
  qrs: { maxClockSkewSeconds: number };
  licenseRelease?:
    | { licenseType: Record<string, { enable: boolean; releaseThresholdDays: number }> }
    | undefined;
};

/**
 * A clock tolerance near a release threshold lets a wrong clock release a license used hours ago
 * (a tolerance of a day with a threshold of a day): it must be well below the smallest one.
 */
function checkClockTolerance(site: ClockSite, index: number, context: z.RefinementCtx): void {
  const enabled = Object.entries(site.licenseRelease?.licenseType ?? {}).filter(
    ([, rule]) => rule.enable,
  );
  if (enabled.length === 0) return;
  const [type, rule] = enabled.reduce((a, b) =>
    b[1].releaseThresholdDays < a[1].releaseThresholdDays ? b : a,
  );
  const allowed = Math.floor(
    rule.releaseThresholdDays * 86_400 * MAX_CLOCK_SKEW_SHARE_OF_THRESHOLD,
  );
  if (site.qrs.maxClockSkewSeconds <= allowed) return;
  context.addIssue({
    code: 'custom',
    path: ['sites', index, 'qrs', 'maxClockSkewSeconds'],
    message: `${site.qrs.maxClockSkewSeconds} s is not well below licenseRelease.licenseType.${type}.releaseThresholdDays (${rule.releaseThresholdDays} day${rule.releaseThresholdDays === 1 ? '' : 's'}): a clock that far off would release licenses used within the threshold. At most 1% of the smallest threshold (${allowed} s) is allowed: lower maxClockSkewSeconds or raise releaseThresholdDays`,
  });
}

/** The checks across sections, for the file (CLI, CDK) and the functions alike. */
export function checkAcrossSections(
  config: {
    sites: ReadonlyArray<ClockSite>;
    destinations: z.infer<typeof destinationsSchema>;
  },
  context: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  config.sites.forEach((site, index) => {
    checkClockTolerance(site, index, context);
    const key = site.name.toLowerCase();
    if (seen.has(key)) {
      context.addIssue({
        code: 'custom',
        path: ['sites', index, 'name'],
        message: `duplicate site name "${site.name}" (names must be unique, ignoring case)`,
      });
    }
    seen.add(key);
  });
  // InfluxDB 3 keeps tags and fields as columns of one table: a static tag must not take a name
  // the InfluxDB destination writes itself.
  if (config.destinations.influxdb.enable) {
    config.destinations.tags.forEach((tag, index) => {
      if (INFLUX_RESERVED_TAG_NAMES.includes(tag.name.toLowerCase()))
        context.addIssue({
          code: 'custom',
          path: ['destinations', 'tags', index, 'name'],
          message: `"${tag.name}" is a tag or field the InfluxDB destination writes itself: rename it`,
        });
    });
  }
}

export const runtimeConfigSchema = z
  .strictObject({
    aws: deploymentOnly.optional(),
    sites: z.array(runtimeSiteSchema).min(1, 'must list at least one site'),
    destinations: destinationsSchema.prefault({}),
  })
  .superRefine(checkAcrossSections);
export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;
