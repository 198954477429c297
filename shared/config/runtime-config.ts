/**
 * The part of the configuration the Lambda functions run on (schema/runtime.ts): what the CDK app
 * inlines into the bundles, cut from the validated file.
 */

import type { RuntimeConfig } from './schema/runtime.ts';
import type { Config } from './schema.ts';

export { type RuntimeConfig, runtimeConfigSchema } from './schema/runtime.ts';

/** The config without its deployment settings (`aws:` and `sites[].aws`). */
export function runtimeConfig(config: Config): RuntimeConfig {
  const { aws: _deployment, sites, ...rest } = config;
  return { ...rest, sites: sites.map(({ aws: _siteDeployment, ...site }) => site) };
}
