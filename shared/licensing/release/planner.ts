/**
 * The release rules of docs/release.md ("The rules"), as pure functions with the clock passed in.
 *
 * Two stages, so the fetcher can ask QRS for user records only where they can still matter:
 * `screenAllocations` applies everything the allocation itself answers (quarantine, user, dates,
 * threshold, `user` and `userDirectory` rules) and sorts what is left longest-inactive first;
 * `selectCandidates` applies the rules that need the user record and the per-run cap.
 * `planRelease` runs both with every user record at hand (the bulk user read of fetch.ts).
 */
import type { LicenseReleaseConfig } from '#shared/config/schema.ts';
import {
  type Allocation,
  type AllocationField,
  LICENSE_TYPES,
  type LicenseType,
} from '#shared/qrs/allocation.ts';
import { isGuid } from '#shared/qrs/filter.ts';
import type { QrsUser } from '#shared/qrs/schemas.ts';
import { isoString, parseQrsDate } from './dates.ts';
import { keptItem } from './kept-item.ts';
import { judgeLeaver, type LeaverPolicy, leaverPolicy } from './leavers.ts';
import { compileProtectionRules, type ProtectionRules } from './rules.ts';
import type { KeptItem, ReleaseItem } from './types.ts';

export const DAY_MS = 86_400_000;

export interface ReleasePolicy {
  /** Days per enabled license type; a type that is absent is not released. */
  thresholdDays: Partial<Record<LicenseType, number>>;
  maxReleasesPerRun: number;
  rules: ProtectionRules;
  leavers: LeaverPolicy;
}

export function releasePolicy(config: LicenseReleaseConfig): ReleasePolicy {
  const thresholdDays: Partial<Record<LicenseType, number>> = {};
  for (const type of LICENSE_TYPES) {
    const rule = config.licenseType[type];
    if (rule.enable) thresholdDays[type] = rule.releaseThresholdDays;
  }
  const leavers = leaverPolicy(config.leavers);
  const rules = compileProtectionRules(config.neverRelease);
  const flags = [...new Set([...rules.userColumns.flags, ...leavers.columns])];
  return {
    thresholdDays,
    maxReleasesPerRun: config.maxReleasesPerRun,
    // The bulk user read brings the leaver flags too.
    rules: { ...rules, userColumns: { ...rules.userColumns, flags } },
    leavers,
  };
}

/** Inactive when `lastActivity <= cutoff` (exactly `days × 24 h` before now, no day rounding). */
export function cutoffFor(thresholdDays: number, now: Date): Date {
  return new Date(now.getTime() - thresholdDays * DAY_MS);
}

/** An allocation past the threshold and not protected by its own user reference. */
export interface EligibleAllocation {
  item: ReleaseItem;
  lastActivityMs: number;
  /** The QRS user id (GUID) whose record the remaining rules read. */
  userRecordId: string;
  /** Short of the type's threshold: released only if the user record shows a leaver. */
  leaverOnly?: true;
}

export interface Screening {
  kept: KeptItem[];
  /** Longest-inactive first (ties by access type id, so a run is reproducible). */
  eligible: EligibleAllocation[];
}

export function screenAllocations(
  allocations: readonly Allocation[],
  policy: ReleasePolicy,
  now: Date,
): Screening {
  const nowMs = now.getTime();
  const kept: KeptItem[] = [];
  const eligible: EligibleAllocation[] = [];
  for (const allocation of allocations) {
    const thresholdDays = policy.thresholdDays[allocation.licenseType];
    // Types that are not enabled are never fetched; should one slip in, it is not this run's.
    if (thresholdDays === undefined) continue;
    const activity = lastActivity(allocation);
    const item = toItem(allocation, activity, nowMs);
    // No closure per allocation: this loop runs for every allocation of the site.
    if (allocation.quarantined === true) {
      kept.push(
        keptItem(
          item,
          'quarantined',
          'in quarantine after an earlier release; QRS frees it when it ends',
        ),
      );
      continue;
    }
    if (allocation.quarantined !== false) {
      // Absent or unreadable: QRS always sends the flag, so its absence is doubt.
      const quarantineProblem = problemOf(allocation, 'quarantined');
      kept.push(
        keptItem(
          item,
          'quarantined',
          quarantineProblem
            ? `the quarantined flag could not be read (${quarantineProblem}): kept`
            : 'the allocation has no quarantined flag: kept on doubt',
        ),
      );
      continue;
    }
    // Ids become request paths (DELETE …/{id}) and filters: anything but a GUID is doubt.
    if (!isGuid(allocation.id)) {
      kept.push(
        keptItem(
          item,
          'no-user',
          `the access type id ${shownId(allocation.id)} is not a QRS id (GUID): kept on doubt`,
        ),
      );
      continue;
    }
    if (!allocation.user) {
      const userProblem = problemOf(allocation, 'user');
      const deleted = allocation.deletedUser;
      kept.push(
        keptItem(
          item,
          'no-user',
          userProblem ??
            (deleted
              ? `the allocation's user ${deleted.userDirectory}\\${deleted.userId} was deleted from the repository (deletedUserDirectory, deletedUserId)`
              : 'the allocation has no user (deleted from the repository?)'),
        ),
      );
      continue;
    }
    if (!isGuid(allocation.user.id)) {
      kept.push(
        keptItem(
          item,
          'no-user',
          `the user id ${shownId(allocation.user.id)} is not a QRS id (GUID): kept on doubt`,
        ),
      );
      continue;
    }
    if (activity.ms === null) {
      kept.push(keptItem(item, 'no-date', activity.detail));
      continue;
    }
    if (activity.ms > nowMs) {
      // A last use in the future is a clock or data problem: never a reason to release.
      kept.push(
        keptItem(
          item,
          'active',
          `last activity ${item.lastActivity} is in the future (server clock?)`,
        ),
      );
      continue;
    }
    const inactiveMs = nowMs - activity.ms;
    const floor = policy.leavers.floorDays;
    const leaverOnly = inactiveMs < thresholdDays * DAY_MS;
    if (leaverOnly && (floor === undefined || inactiveMs < floor * DAY_MS)) {
      kept.push(
        keptItem(
          item,
          'active',
          `inactive ${item.inactiveDays} of ${thresholdDays} days (${activity.source})`,
        ),
      );
      continue;
    }
    const protection = policy.rules.matchAllocationUser(allocation.user);
    if (protection) {
      kept.push(keptItem(item, protection.reason, protection.detail));
      continue;
    }
    eligible.push({
      item,
      lastActivityMs: activity.ms,
      userRecordId: allocation.user.id,
      ...(leaverOnly ? { leaverOnly: true as const } : {}),
    });
  }
  eligible.sort(
    (a, b) =>
      a.lastActivityMs - b.lastActivityMs || (a.item.accessTypeId < b.item.accessTypeId ? -1 : 1),
  );
  return { kept, eligible };
}

/** A hostile id as a short quoted text: control characters escaped, at most 64 characters. */
function shownId(id: string): string {
  return JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id);
}

/** The schema problem noted for a field, if any; most items have none. */
function problemOf(allocation: Allocation, field: AllocationField): string | undefined {
  return allocation.problems[field];
}

/** What is known about one user record: found, missing/invalid (doubt), or not asked yet. */
export type UserRecordLookup = { found: QrsUser } | { missing: string };

export interface UserRecords {
  /** `undefined` when the record has not been looked up yet. */
  lookup(userId: string): UserRecordLookup | undefined;
}

export interface Selection {
  candidates: ReleaseItem[];
  /**
   * Complete when `awaiting` is 0. While user records are awaited the pass is provisional and
   * leaves out the `cap` items (on a large site, most of it): the final pass lists them.
   */
  kept: KeptItem[];
  /** Eligible allocations within the cap whose user record is still unknown (0 = final). */
  awaiting: number;
  /** User ids not looked up yet, in the order the allocations are judged (no duplicates). */
  unresolvedUserIds: string[];
}

export function selectCandidates(
  eligible: readonly EligibleAllocation[],
  policy: ReleasePolicy,
  users: UserRecords,
  nowMs: number,
): Selection {
  const { rules, maxReleasesPerRun } = policy;
  const candidates: ReleaseItem[] = [];
  const kept: KeptItem[] = [];
  const unresolved = new Set<string>();
  let awaiting = 0;
  // Built once: every allocation past the cap (most of a large site) shares one of the two.
  const capDetail = `maxReleasesPerRun ${maxReleasesPerRun} reached; longer-inactive allocations go first`;
  const capDetailUnread = `${capDetail} (tag, customProperty and flag rules not read)`;
  for (const entry of eligible) {
    const needsRecord = rules.needsUserRecord || entry.leaverOnly === true;
    const lookup = needsRecord ? users.lookup(entry.userRecordId) : undefined;
    if (needsRecord && !lookup) unresolved.add(entry.userRecordId);
    let item = entry.item;
    // A record at hand is judged before the cap: the first rule that applies gives the reason.
    if (lookup) {
      if ('missing' in lookup) {
        kept.push(keptItem(item, 'no-user', lookup.missing));
        continue;
      }
      const protection = rules.matchUserRecord(lookup.found);
      if (protection) {
        kept.push(keptItem(item, protection.reason, protection.detail));
        continue;
      }
      if (entry.leaverOnly) {
        const verdict = judgeLeaver(policy.leavers, lookup.found, nowMs - entry.lastActivityMs);
        if ('notLeaver' in verdict) {
          kept.push(keptItem(item, 'active', shortOfThreshold(entry, verdict.notLeaver)));
          continue;
        }
        item = { ...item, releaseReason: verdict.reason };
      }
    }
    if (candidates.length + awaiting >= maxReleasesPerRun) {
      // Past the cap `awaiting` no longer changes: a provisional pass needs only the ids above.
      if (awaiting > 0) continue;
      kept.push(
        entry.leaverOnly && !lookup
          ? // Not past the threshold and not known to be a leaver: active, not held back by the cap.
            keptItem(item, 'active', shortOfThreshold(entry, 'leaver flags not read (cap reached)'))
          : keptItem(item, 'cap', rules.needsUserRecord && !lookup ? capDetailUnread : capDetail),
      );
      continue;
    }
    if (needsRecord && !lookup) {
      awaiting++;
      continue;
    }
    candidates.push(item);
  }
  return { candidates, kept, awaiting, unresolvedUserIds: [...unresolved] };
}

function shortOfThreshold(entry: EligibleAllocation, why: string): string {
  return `inactive ${entry.item.inactiveDays} days, short of the ${entry.item.licenseType} threshold; ${why}`;
}

export interface ReleasePlan {
  candidates: ReleaseItem[];
  kept: KeptItem[];
}

/**
 * The whole plan with every user record at hand (the bulk user read, tests): a user not in
 * `users` is doubt (kept), with the problem from `unusable` when its record could not be used.
 * `screening`, when given, is `screenAllocations` of the same input, done already.
 */
export function planRelease(input: {
  allocations: readonly Allocation[];
  policy: ReleasePolicy;
  now: Date;
  users: ReadonlyMap<string, QrsUser>;
  unusable?: ReadonlyMap<string, string>;
  screening?: Screening;
}): ReleasePlan {
  const screening =
    input.screening ?? screenAllocations(input.allocations, input.policy, input.now);
  const byId = new Map<string, QrsUser>();
  for (const [id, user] of input.users) byId.set(id.toLowerCase(), user);
  const problems = new Map<string, string>();
  for (const [id, problem] of input.unusable ?? []) problems.set(id.toLowerCase(), problem);
  const selection = selectCandidates(
    screening.eligible,
    input.policy,
    {
      lookup: (id) => {
        const found = byId.get(id.toLowerCase());
        return found
          ? { found }
          : { missing: missingUserDetail(id, problems.get(id.toLowerCase())) };
      },
    },
    input.now.getTime(),
  );
  return { candidates: selection.candidates, kept: [...screening.kept, ...selection.kept] };
}

export function missingUserDetail(id: string, problem?: string): string {
  return problem
    ? `the user record ${id} is not usable (${problem}): kept on doubt`
    : `QRS returned no user record for ${id} (removed since?): kept on doubt`;
}

interface Activity {
  ms: number | null;
  /** Which date was used, or why none could be. */
  source: string;
  detail: string;
}

/** `lastUsed` when it is a real date, else the allocation's `createdDate` (never used yet). */
function lastActivity(allocation: Allocation): Activity {
  // A lastUsed QRS sent but that is not text (a number, an object) is doubt, not "never used":
  // falling back to createdDate would judge a possibly recent user by an old allocation date.
  const lastUsedProblem = problemOf(allocation, 'lastUsed');
  if (lastUsedProblem) return { ms: null, source: '', detail: `${lastUsedProblem}: kept on doubt` };
  const lastUsed = parseQrsDate(allocation.lastUsed);
  if (lastUsed.kind === 'date') return { ms: lastUsed.ms, source: 'last used', detail: '' };
  if (lastUsed.kind === 'invalid')
    return {
      ms: null,
      source: '',
      detail: `lastUsed ${JSON.stringify(lastUsed.raw)} is not a date: kept on doubt`,
    };
  const created = parseQrsDate(allocation.createdDate);
  if (created.kind === 'date')
    return { ms: created.ms, source: 'never used; allocated', detail: '' };
  return {
    ms: null,
    source: '',
    detail:
      created.kind === 'invalid'
        ? `never used and createdDate ${JSON.stringify(created.raw)} is not a date`
        : 'neither lastUsed nor createdDate holds a date',
  };
}

function toItem(allocation: Allocation, { ms: activityMs, source }: Activity, nowMs: number) {
  const item: ReleaseItem = {
    accessTypeId: allocation.id,
    licenseType: allocation.licenseType,
    userDirectory: allocation.user?.userDirectory ?? null,
    userId: allocation.user?.userId ?? null,
    lastActivity: activityMs === null ? null : isoString(activityMs),
    inactiveDays: activityMs === null ? null : Math.floor((nowMs - activityMs) / DAY_MS),
  };
  // Then `lastActivity` is the allocation's creation, not a use (docs/release.md, "Output").
  if (source.startsWith('never used')) item.neverUsed = true;
  return item;
}
