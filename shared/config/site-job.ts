/**
 * The one rule for "is this job on for this site", used by the Lambda handlers, the CLI, the
 * stack, the schedules and the dashboard. Monitor is on unless `licenseMonitor.enable: false`;
 * release is on only with a `licenseRelease` block whose `enable` is not false.
 */
import type { SiteConfig } from './schema.ts';

export type JobName = 'monitor' | 'release';

export type SiteJob =
  | { enabled: true; schedule: string }
  | { enabled: false /** Why it is off, naming the key. */; reason: string };

export function siteJob(site: SiteConfig, job: JobName): SiteJob {
  if (job === 'monitor') {
    return site.licenseMonitor.enable
      ? { enabled: true, schedule: site.licenseMonitor.schedule }
      : { enabled: false, reason: 'licenseMonitor.enable is false' };
  }
  const release = site.licenseRelease;
  if (!release) return { enabled: false, reason: 'the site has no licenseRelease block' };
  return release.enable
    ? { enabled: true, schedule: release.schedule }
    : { enabled: false, reason: 'licenseRelease.enable is false' };
}

/** What the CLI and the functions say when they skip a site: `license release is disabled …`. */
export function skippedNotice(job: JobName, reason: string): string {
  return `license ${job} is disabled for this site (${reason}): skipped`;
}
