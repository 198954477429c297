/**
 * `licenseRelease.mode: review` (docs/release.md, "Review, then apply"): a scheduled run only
 * makes a plan. The plan is the document `release --plan` reads, cut to what applying needs
 * (per site: `site`, `dryRun`, `evaluatedAt`, `rules`, `candidates`), so it fits a log line or a
 * notification however many allocations the run kept.
 */
import type { LicenseReleaseConfig } from '#shared/config/schema.ts';
import type { ReleaseItem, SiteReleaseResult } from './types.ts';

export type ReleaseMode = LicenseReleaseConfig['mode'];

export interface ReviewPlan {
  sites: Array<{
    site: string;
    dryRun: true;
    madeBy: 'review';
    evaluatedAt: string;
    rules: SiteReleaseResult['rules'];
    candidates: ReleaseItem[];
  }>;
}

/** A scheduled run in review mode never releases, whatever `dryRun` says. */
export function scheduledDryRun(release: LicenseReleaseConfig): boolean {
  return release.mode === 'review' || release.dryRun;
}

export function reviewPlan(result: SiteReleaseResult): ReviewPlan {
  return {
    sites: [
      {
        site: result.site,
        dryRun: true,
        madeBy: 'review',
        evaluatedAt: result.evaluatedAt,
        rules: result.rules,
        candidates: result.candidates,
      },
    ],
  };
}
