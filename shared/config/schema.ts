/**
 * The configuration file: one schema, unknown keys rejected, defaults here and in the README
 * ("Configure"). Each section has a module of its own in schema/.
 */
import { z } from 'zod';
import { awsSchema, siteAwsSchema } from './schema/aws.ts';
import { destinationsSchema } from './schema/destinations.ts';
import { checkAcrossSections } from './schema/runtime.ts';
import { runtimeSiteSchema } from './schema/site.ts';

export { type AwsConfig, awsSchema } from './schema/aws.ts';
export {
  type SecretSource,
  secretSourceSchema,
  type TokenSource,
  tokenSourceSchema,
} from './schema/common.ts';
export type { DestinationsConfig, InfluxDbConfig } from './schema/destinations.ts';
export {
  type FlagRule,
  LEAVER_FLAGS,
  type LeaverFlag,
  type LicenseReleaseConfig,
  type NeverRelease,
} from './schema/release.ts';
export { type RuntimeConfig, runtimeConfigSchema } from './schema/runtime.ts';
export { type QrsConfig, type QrsNode, qrsNodes } from './schema/site.ts';

/** A site in the file: the runtime part and its deployment settings (`sites[].aws`). */
export const siteSchema = runtimeSiteSchema.extend({
  /** Deployment settings for this site (see `aws:` below). */
  aws: siteAwsSchema.optional(),
});
export type SiteConfig = z.infer<typeof siteSchema>;

export const configSchema = z
  .strictObject({
    sites: z.array(siteSchema).min(1, 'must list at least one site'),
    destinations: destinationsSchema.prefault({}),
    /** Deployment settings (CDK only; required by `cdk synth`, ignored by the CLI). */
    aws: awsSchema.optional(),
  })
  .superRefine(checkAcrossSections);

export type Config = z.infer<typeof configSchema>;
