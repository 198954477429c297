/** The sites a command runs for: all, or the one named by --site (an unknown name is a usage error). */
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import { UsageError } from './io.ts';

export function selectSites(config: Config, name: string | undefined): SiteConfig[] {
  if (name === undefined) return config.sites;
  const site = config.sites.find(
    (candidate) => candidate.name.toLowerCase() === name.toLowerCase(),
  );
  if (!site) {
    throw new UsageError(
      `unknown site "${name}"; the configuration has: ${config.sites.map((s) => s.name).join(', ')}`,
    );
  }
  return [site];
}
