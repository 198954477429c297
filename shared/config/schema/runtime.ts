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

/** The checks across sections, for the file (CLI, CDK) and the functions alike. */
export function checkAcrossSections(
  config: {
    sites: ReadonlyArray<{ name: string }>;
    destinations: z.infer<typeof destinationsSchema>;
  },
  context: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  config.sites.forEach((site, index) => {
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
