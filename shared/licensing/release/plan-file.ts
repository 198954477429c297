/**
 * A release plan: the document `release --dry-run --json` prints, read back by `release --plan`
 * (docs/release.md, "Review, then apply"). Only what applying needs is read: per site its name,
 * `dryRun: true`, `evaluatedAt`, the `candidates` and the `rules`; other keys are ignored. A plan
 * that is not usable, names a site the configuration lacks or is too old is refused before any
 * site is touched.
 */
import { z } from 'zod';
import { StewardError } from '#shared/errors.ts';
import { LICENSE_TYPES, type LicenseType } from '#shared/qrs/allocation.ts';
import { describeIssues } from '#shared/qrs/schemas.ts';
import type { ReleaseItem } from './types.ts';

/** A plan refused as a whole: the CLI's exit 2. */
export class PlanError extends StewardError {
  constructor(message: string) {
    super(message, { exitKind: 'usage' });
    this.name = 'PlanError';
  }
}

export const DEFAULT_MAX_PLAN_AGE_HOURS = 24;
/** A plan "made" later than now by more than this is a clock or editing problem, not a plan. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;

const itemSchema = z.object({
  accessTypeId: z.string().min(1),
  licenseType: z.enum(LICENSE_TYPES as readonly LicenseType[] as [LicenseType, ...LicenseType[]]),
  userDirectory: z.string().nullable(),
  userId: z.string().nullable(),
  lastActivity: z.string().nullable(),
  inactiveDays: z.number().nullable(),
});

const siteSchema = z.object({
  site: z.string().min(1),
  dryRun: z.literal(true, {
    error:
      'must be true: a plan is the output of `release --dry-run --json`, not of a run that released',
  }),
  evaluatedAt: z.iso.datetime({ offset: true }),
  candidates: z.array(itemSchema),
  rules: z.record(z.string(), z.unknown()).optional(),
  error: z
    .undefined({ error: 'the planning run failed for this site: make a new plan' })
    .optional(),
});

const planSchema = z.object({ sites: z.array(siteSchema).min(1, 'the plan holds no site') });

export interface PlannedSite {
  site: string;
  evaluatedAt: Date;
  candidates: ReleaseItem[];
  /** The rules the plan was made with; `undefined` for a plan from before they were recorded. */
  rules: Record<string, unknown> | undefined;
}

export function parsePlan(text: string, source: string): PlannedSite[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new PlanError(`${source} is not JSON: ${(error as Error).message}`);
  }
  const parsed = planSchema.safeParse(body);
  if (!parsed.success)
    throw new PlanError(`${source} is not a release plan: ${describeIssues(parsed.error)}`);
  const seen = new Set<string>();
  return parsed.data.sites.map((entry) => {
    const key = entry.site.toLowerCase();
    if (seen.has(key)) throw new PlanError(`${source} lists site "${entry.site}" twice`);
    seen.add(key);
    return {
      site: entry.site,
      evaluatedAt: new Date(entry.evaluatedAt),
      candidates: entry.candidates,
      rules: entry.rules,
    };
  });
}

/**
 * The plan's sites to apply, each with its configured site: the one `--site` names (which the
 * plan must hold), else all of them. Every one must be in the configuration and no older than
 * `maxAgeHours`.
 */
export function plannedSitesToApply<Site extends { name: string }>(
  plan: readonly PlannedSite[],
  sites: readonly Site[],
  options: { site?: string; now: Date; maxAgeHours?: number },
): Array<{ site: Site; planned: PlannedSite }> {
  const maxAgeHours = options.maxAgeHours ?? DEFAULT_MAX_PLAN_AGE_HOURS;
  const chosen = options.site
    ? plan.filter((entry) => entry.site.toLowerCase() === options.site?.toLowerCase())
    : plan;
  if (chosen.length === 0)
    throw new PlanError(
      `the plan has no site "${options.site}" (it holds ${plan.map((entry) => entry.site).join(', ')})`,
    );
  return chosen.map((planned) => {
    const site = sites.find((each) => each.name.toLowerCase() === planned.site.toLowerCase());
    if (!site)
      throw new PlanError(
        `the plan is for site "${planned.site}", which is not in the configuration (it has ${sites.map((each) => each.name).join(', ')})`,
      );
    const ageMs = options.now.getTime() - planned.evaluatedAt.getTime();
    if (ageMs > maxAgeHours * HOUR_MS)
      throw new PlanError(
        `the plan for site "${planned.site}" was made ${(ageMs / HOUR_MS).toFixed(1)} hours ago (at ${planned.evaluatedAt.toISOString()}), more than ${maxAgeHours}: make a new plan, or allow an older one with --max-plan-age HOURS`,
      );
    if (ageMs < -FUTURE_TOLERANCE_MS)
      throw new PlanError(
        `the plan for site "${planned.site}" says it was made at ${planned.evaluatedAt.toISOString()}, in the future (check this machine's clock)`,
      );
    return { site, planned };
  });
}
