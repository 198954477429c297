/**
 * Which sites a command runs for, and how: every command selects with `--site` the same way,
 * skips a site whose job is off with the same notice, and runs its sites at once.
 */
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import { type JobName, siteJob, skippedNotice } from '#shared/config/site-job.ts';
import type { RunLogger } from '#shared/observability/logger.ts';
import { UsageError } from './io.ts';

/** All sites, or the one named by --site (an unknown name is a usage error). */
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

/** Whether the site's job is on; a site whose job is off is skipped with a notice on stderr. */
export function jobIsOn(site: SiteConfig, job: JobName, logger: RunLogger): boolean {
  const state = siteJob(site, job);
  if (!state.enabled) logger.info(skippedNotice(job, state.reason), { site: site.name });
  return state.enabled;
}

/**
 * Runs every site at once, results in the order given. Each site's run reports its own failure
 * in its result, so one failing site never stops the others.
 */
export function forEverySite<T, R>(
  items: readonly T[],
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  return Promise.all(items.map(run));
}
