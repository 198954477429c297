/**
 * The release run's vocabulary: the allocation summary `A` of docs/release.md ("Output"), the reasons an
 * allocation is kept (section 5, in rule order) and the per-site result the CLI prints as JSON.
 */
import type { LicenseType } from '#shared/qrs/allocation.ts';
import type { RulesRecord } from './rules-record.ts';

/** Why an allocation was not selected, in the order the rules are applied (first match wins). */
export const KEEP_REASONS = [
  'quarantined',
  'no-user',
  'no-date',
  'active',
  'protected:user',
  'protected:userDirectory',
  'protected:tag',
  'protected:customProperty',
  'protected:inactive',
  'protected:blocked',
  'protected:removedExternally',
  'cap',
] as const;
export type KeepReason = (typeof KEEP_REASONS)[number];

/** Which read gave the user records the rules judged (docs/release.md, "What is read from QRS"). */
export type UserRead = 'bulk table, cross-checked' | 'id batches';

/** `A` in docs/release.md ("Output"). */
export interface ReleaseItem {
  accessTypeId: string;
  licenseType: LicenseType;
  userDirectory: string | null;
  userId: string | null;
  /** ISO 8601 (UTC) of the date the decision used; `null` when the allocation has no usable date. */
  lastActivity: string | null;
  /** Whole days since `lastActivity`, rounded down; `null` without a usable date. */
  inactiveDays: number | null;
}

export interface KeptItem extends ReleaseItem {
  reason: KeepReason;
  detail?: string;
}

export interface ReleasedItem extends ReleaseItem {
  /** QRS answered 404: someone (or an earlier attempt of this run) freed it already. */
  alreadyGone?: true;
}

export interface FailedItem extends ReleaseItem {
  error: string;
}

/** A plan candidate that applying the plan did not judge (gone from QRS, type now off). */
export interface SkippedItem extends ReleaseItem {
  detail: string;
}

/** Which reviewed plan a run applied (`release --plan`). */
export interface AppliedPlan {
  /** The plan's `evaluatedAt`. */
  evaluatedAt: string;
  /** Candidates in the plan for this site. */
  candidates: number;
  /** Settings that differ between the plan's rules and today's ([] = the same rules). */
  ruleDifferences: string[];
}

/** One site's run, exactly the documented keys (docs/release.md) plus the documented additions. */
export interface SiteReleaseResult {
  site: string;
  dryRun: boolean;
  evaluatedAt: string;
  candidates: ReleaseItem[];
  kept: KeptItem[];
  released: ReleasedItem[];
  failed: FailedItem[];
  /** Addition: candidates not attempted because the run ran out of time (Lambda deadline). */
  deferred: ReleaseItem[];
  /** Addition: audit sinks (Timestream, CloudWatch) that failed; the log lines were written. */
  sinkErrors: string[];
  /** Addition, only when the site's run failed before or while planning. */
  error?: string;
  /** Addition: the rules the run was judged under (a plan records what it was made with). */
  rules?: RulesRecord;
  /** Addition, with `--plan` only: the plan applied, and its candidates not judged. */
  plan?: AppliedPlan;
  skipped?: SkippedItem[];
  /** Addition: which read gave the user records (`null`: no rule reads them). */
  userRead?: UserRead | null;
  /** Addition, only when it happened: why the bulk user table was not trusted (users read by id). */
  userTableNotTrusted?: string;
  /** Addition, when it holds something: rules that match nothing in QRS, a table not trusted. */
  warnings?: string[];
}

export function countByReason(kept: readonly KeptItem[]): Partial<Record<KeepReason, number>> {
  const counts: Partial<Record<KeepReason, number>> = {};
  for (const item of kept) counts[item.reason] = (counts[item.reason] ?? 0) + 1;
  return counts;
}

/** How a run ended, in numbers: the run summary log line and the Lambda's result both show it. */
export function resultCounts(result: SiteReleaseResult) {
  return {
    candidates: result.candidates.length,
    released: result.released.length,
    alreadyGone: result.released.filter((item) => item.alreadyGone).length,
    failed: result.failed.length,
    deferred: result.deferred.length,
    kept: countByReason(result.kept),
  };
}
