/**
 * The part of the configuration the Lambda functions run on: the sites (without their `aws`
 * deployment block) and the destinations. The deployment settings (`aws:`: account, network ids,
 * alarm e-mail addresses, KMS key ARNs) stay with the CDK app and are never inlined into a bundle.
 */
import { type Config, configSchema } from './schema.ts';

/** A Config with no deployment settings in it. */
export type RuntimeConfig = Omit<Config, 'aws'> & {
  aws?: undefined;
  sites: Array<Omit<Config['sites'][number], 'aws'> & { aws?: undefined }>;
};

export function runtimeConfig(config: Config): RuntimeConfig {
  const { aws: _deployment, sites, ...rest } = config;
  return { ...rest, sites: sites.map(({ aws: _siteDeployment, ...site }) => site) };
}

/** The functions' schema: the CLI's, refusing deployment settings (they belong to the CDK app). */
export const runtimeConfigSchema = configSchema.superRefine((config, context) => {
  const deploymentOnly = (path: (string | number)[]) =>
    context.addIssue({
      code: 'custom',
      path,
      message: 'is a deployment setting: the CDK app keeps it out of the function bundles',
    });
  if (config.aws !== undefined) deploymentOnly(['aws']);
  config.sites.forEach((site, index) => {
    if (site.aws !== undefined) deploymentOnly(['sites', index, 'aws']);
  });
});
