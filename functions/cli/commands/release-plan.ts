/** `release --plan FILE`: reads the plan and pairs its sites with the configured ones, or exit 2. */
import type { Config, SiteConfig } from '#shared/config/schema.ts';
import {
  PlanError,
  type PlannedSite,
  parsePlan,
  plannedSitesToApply,
  readPlanFile,
} from '#shared/licensing/release/plan-file.ts';
import { UsageError } from '../io.ts';
import { selectSites } from '../select-sites.ts';
import type { ReleaseArgs } from './release.ts';

export function readPlanFor(
  config: Config,
  args: Pick<ReleaseArgs, 'site' | 'maxPlanAgeHours'> & { plan: string },
  now: Date,
): Array<{ site: SiteConfig; planned: PlannedSite }> {
  const file = args.plan;
  // An unknown --site is the usual usage error, before the plan is read.
  if (args.site !== undefined) selectSites(config, args.site);
  try {
    return plannedSitesToApply(parsePlan(readPlanFile(file), file), config.sites, {
      now,
      ...(args.site !== undefined ? { site: args.site } : {}),
      ...(args.maxPlanAgeHours !== undefined ? { maxAgeHours: args.maxPlanAgeHours } : {}),
    });
  } catch (error) {
    if (error instanceof PlanError) throw new UsageError(`plan refused: ${error.message}`);
    throw error;
  }
}
