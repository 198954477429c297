/**
 * A release plan: the document `release --dry-run --json` prints, read back by `release --plan`
 * (docs/release.md, "Review, then apply"). Only what applying needs is read: per site its name,
 * `dryRun: true`, `evaluatedAt`, the `candidates` and the `rules`; other keys are ignored. A plan
 * that is not usable, names a site the configuration lacks or is too old is refused before any
 * site is touched.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
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
/** A plan of 50 sites at the default cap is about 1 MB: 5 MB is far above any real one. */
export const MAX_PLAN_BYTES = 5 * 1024 * 1024;
/** A site's plan may hold this many times today's `maxReleasesPerRun` candidates, no more. */
export const MAX_PLAN_CANDIDATES_PER_CAP = 2;
/** A plan nests about 7 levels deep (sites, rules, neverRelease, user); far more is no plan. */
const MAX_PLAN_DEPTH = 32;
const DEFAULT_MAX_RELEASES_PER_RUN = 50;

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

/**
 * The plan file's text: a regular file only (a device such as /dev/zero would never end, a FIFO
 * never answer), at most `MAX_PLAN_BYTES`. A `PlanError` says what else it is.
 */
export function readPlanFile(file: string): string {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO returns at once and fstat can refuse it.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new PlanError(
      `cannot read the plan ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new PlanError(
        `${file} is not a regular file (a device, FIFO or folder): a plan is the file \`release --dry-run --json\` wrote`,
      );
    const tooLarge = () =>
      new PlanError(
        `${file} is larger than a plan may be (${MAX_PLAN_BYTES / 1024 / 1024} MB): make a plan of the sites to apply`,
      );
    if (stat.size > MAX_PLAN_BYTES) throw tooLarge();
    // Read one byte past the limit, so that a file grown since fstat is refused too.
    const buffer = Buffer.alloc(MAX_PLAN_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > MAX_PLAN_BYTES) throw tooLarge();
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

export function parsePlan(raw: string, source: string): PlannedSite[] {
  // Windows Notepad starts UTF-8 files with a byte order mark: not part of the JSON.
  const text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  if (nestingDepth(text) > MAX_PLAN_DEPTH)
    throw new PlanError(`${source} nests deeper than ${MAX_PLAN_DEPTH} levels: not a release plan`);
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

/** The deepest nesting of `[` and `{` outside strings (the reading of the rules recurses). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index++;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === '[' || character === '{') deepest = Math.max(deepest, ++depth);
    else if (character === ']' || character === '}') depth--;
  }
  return deepest;
}

/**
 * The plan's sites to apply, each with its configured site: the one `--site` names (which the
 * plan must hold), else all of them. Every one must be in the configuration and no older than
 * `maxAgeHours`.
 */
export function plannedSitesToApply<
  Site extends { name: string; licenseRelease?: { maxReleasesPerRun: number } | undefined },
>(
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
    // Each 50 planned ids are one read against production QRS: a plan far above the cap is no
    // reviewed plan of this configuration.
    const cap = site.licenseRelease?.maxReleasesPerRun ?? DEFAULT_MAX_RELEASES_PER_RUN;
    if (planned.candidates.length > cap * MAX_PLAN_CANDIDATES_PER_CAP)
      throw new PlanError(
        `the plan for site "${planned.site}" holds ${planned.candidates.length} candidates, more than ${MAX_PLAN_CANDIDATES_PER_CAP} × maxReleasesPerRun (${cap}): make a new plan under the current rules`,
      );
    if (ageMs < -FUTURE_TOLERANCE_MS)
      throw new PlanError(
        `the plan for site "${planned.site}" says it was made at ${planned.evaluatedAt.toISOString()}, in the future (check this machine's clock)`,
      );
    return { site, planned };
  });
}
