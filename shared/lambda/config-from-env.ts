/**
 * The Lambda functions' configuration: the runtime part of the validated config (sites and
 * destinations, no `aws:` deployment settings) that the CDK app inlines into the bundle at build
 * time (esbuild `define` on `process.env.LICENSE_STEWARD_CONFIG`), validated again at cold start
 * with the runtime schema, which refuses deployment settings.
 */
import { ConfigError } from '#shared/config/errors.ts';
import { formatIssues } from '#shared/config/issues.ts';
import { type RuntimeConfig, runtimeConfigSchema } from '#shared/config/schema/runtime.ts';
import { CONFIG_ENV } from '#shared/env-names.ts';

/**
 * @param text defaults to the literal `process.env.LICENSE_STEWARD_CONFIG`: esbuild `define`
 *   replaces exactly that expression in the bundle, so it must stay written out like this.
 */
export function configFromEnv(
  text: string | undefined = process.env.LICENSE_STEWARD_CONFIG,
): RuntimeConfig {
  if (!text)
    throw new ConfigError(CONFIG_ENV, ['is not set (the CDK app inlines it when bundling)']);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(CONFIG_ENV, ['is not valid JSON']);
  }
  const result = runtimeConfigSchema.safeParse(json);
  if (!result.success) throw new ConfigError(CONFIG_ENV, formatIssues(result.error, json));
  return result.data;
}
