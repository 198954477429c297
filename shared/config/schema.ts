/**
 * The configuration file: one schema, unknown keys rejected, defaults here and in the README
 * ("Configure"). Each section has a module of its own in schema/.
 */
import { z } from 'zod';
import { INFLUX_RESERVED_TAG_NAMES } from '#shared/names.ts';
import { awsSchema } from './schema/aws.ts';
import { destinationsSchema } from './schema/destinations.ts';
import { siteSchema } from './schema/site.ts';

export { type AwsConfig, awsSchema } from './schema/aws.ts';
export {
  type SecretSource,
  secretSourceSchema,
  type TokenSource,
  tokenSourceSchema,
} from './schema/common.ts';
export type { DestinationsConfig, InfluxDbConfig } from './schema/destinations.ts';
export type { FlagRule, LicenseReleaseConfig, NeverRelease } from './schema/release.ts';
export { type SiteConfig, siteSchema } from './schema/site.ts';

export const configSchema = z
  .strictObject({
    sites: z.array(siteSchema).min(1, 'must list at least one site'),
    destinations: destinationsSchema.prefault({}),
    /** Deployment settings (CDK only; required by `cdk synth`, ignored by the CLI). */
    aws: awsSchema.optional(),
  })
  .superRefine((config, context) => {
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
  });

export type Config = z.infer<typeof configSchema>;
