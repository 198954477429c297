/**
 * Reads what the plan needs from QRS, in a number of requests that does not grow with the site:
 *
 * - one `…accesstype/full` per enabled type, narrowed server-side to `lastUsed le <cutoff>` (the
 *   1753 "no date" of never-used allocations is older than any cutoff, so they come back and are
 *   judged by their allocation date). The planner re-checks every item whatever the filter did.
 * - user records (tags, custom properties, flags) only when a rule reads them, only for
 *   allocations that can still be released under the cap, longest-inactive first, 50 ids per
 *   request. A run that may release 50 reads about 50–100 users, on a site of 100 or 100,000.
 * - when that would be many batches (a high cap on a large site), every user of the site in a
 *   few pages of `/qrs/user/table` instead, if that takes fewer requests (bulk-users.ts).
 */

import type { RunLogger } from '#shared/observability/logger.ts';
import type { Allocation, LicenseType } from '#shared/qrs/allocation.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { isGuid, qrsDate } from '#shared/qrs/filter.ts';
import { readUsersInBulk } from './bulk-users.ts';
import { dropDuplicateAllocations } from './duplicates.ts';
import {
  cutoffFor,
  missingUserDetail,
  planRelease,
  type ReleasePlan,
  type ReleasePolicy,
  screenAllocations,
  selectCandidates,
  type UserRecordLookup,
  type UserRecords,
} from './planner.ts';
import { RuleCounter, type RuleCountQrs } from './rule-counts.ts';
import type { UserRead } from './types.ts';

/** Without the bulk methods (test doubles), user records are read in id batches only. */
export type ReleaseQrs = Pick<QrsClient, 'listAllocations' | 'getUsersByIds'> &
  Partial<
    Pick<QrsClient, 'countUsers' | 'getUserTable' | 'getTags' | 'getCustomPropertyDefinitions'>
  >;

export interface FetchOptions {
  /** User ids per `GET /qrs/user/full?filter=id eq … or …` request. */
  userBatchSize?: number;
  /** User requests in flight at once. */
  userConcurrency?: number;
  /** Rows per `/qrs/user/table` page of the bulk read. */
  userPageSize?: number;
  logger?: RunLogger;
  /** The run's server-side counts (rule-counts.ts), shared with the rule check. */
  counter?: RuleCounter;
}

export interface JudgedPlan extends ReleasePlan {
  userRecordsRequested: number;
  /** Which read gave the user records; `null` when no rule reads them. */
  userRead: UserRead | null;
  /** What the run should say about how it read (the table not trusted, and why). */
  warnings: string[];
  /** Why the bulk user table was not trusted, when it was asked for and not trusted. */
  userTableNotTrusted?: string;
  /** `licenseType/accessTypeId` (lower-cased) of each candidate → its user's QRS id. */
  candidateUsers: Map<string, string>;
}

export interface FetchedPlan extends JudgedPlan {
  /** Items QRS sent without an id: reported, never acted on. */
  malformed: number;
}

const DEFAULT_USER_BATCH_SIZE = 50;
/** Never assume fewer than 1 in 20 looked-up users is releasable when sizing the next round. */
const MIN_PASS_RATE = 0.05;

/** The server-side narrowing for one license type: candidates and never-used allocations. */
export function inactiveFilter(thresholdDays: number, now: Date): string {
  return `lastUsed le ${qrsDate(cutoffFor(thresholdDays, now))}`;
}

export async function fetchReleasePlan(
  qrs: ReleaseQrs,
  policy: ReleasePolicy,
  now: Date,
  options: FetchOptions = {},
): Promise<FetchedPlan> {
  const types = Object.entries(policy.thresholdDays) as Array<[LicenseType, number]>;
  const lists = await Promise.all(
    types.map(([type, days]) => qrs.listAllocations(type, inactiveFilter(days, now))),
  );
  const listed: Allocation[] = lists.flatMap((list) => list.allocations);
  const { allocations, duplicates } = dropDuplicateAllocations(listed);
  if (duplicates.length > 0)
    options.logger?.warn('QRS listed the same allocation more than once; each is judged once', {
      duplicates,
    });
  const malformed = lists.reduce((sum, list) => sum + list.malformed.length, 0);
  if (malformed > 0)
    options.logger?.warn('QRS sent allocations without an id; they are ignored', { malformed });
  return { ...(await judgeAllocations(qrs, allocations, policy, now, options)), malformed };
}

/**
 * The rules applied to allocations already read: screening, then user records in rounds sized to
 * fill the cap, then the final selection (also used to re-check a reviewed plan, apply-plan.ts).
 */
export async function judgeAllocations(
  qrs: ReleaseQrs,
  allocations: readonly Allocation[],
  policy: ReleasePolicy,
  now: Date,
  options: FetchOptions = {},
): Promise<JudgedPlan> {
  const batchSize = Math.max(1, options.userBatchSize ?? DEFAULT_USER_BATCH_SIZE);
  const screening = screenAllocations(allocations, policy, now);
  const candidateUsers = (plan: ReleasePlan) => {
    const users = new Map<string, string>();
    for (const entry of screening.eligible) users.set(candidateKey(entry.item), entry.userRecordId);
    const chosen = new Map<string, string>();
    for (const item of plan.candidates) {
      const key = candidateKey(item);
      const user = users.get(key);
      if (user) chosen.set(key, user);
    }
    return chosen;
  };
  const records = new UserRecordCache();
  const first = selectCandidates(screening.eligible, policy, records);
  const warnings: string[] = [];
  let notTrusted: { userTableNotTrusted: string } | undefined;
  if (first.awaiting > 0 && qrs.countUsers && qrs.getUserTable) {
    const ids = first.unresolvedUserIds;
    const firstRound = Math.min(ids.length, Math.ceil(first.awaiting / batchSize) * batchSize);
    const bulk = await readUsersInBulk(
      { countUsers: qrs.countUsers.bind(qrs), getUserTable: qrs.getUserTable.bind(qrs) },
      policy.rules,
      ids,
      {
        idRequests: Math.ceil(firstRound / batchSize),
        counter: options.counter ?? new RuleCounter(qrs as RuleCountQrs),
        ...(options.userPageSize ? { pageSize: options.userPageSize } : {}),
        ...(options.userConcurrency ? { concurrency: options.userConcurrency } : {}),
      },
    );
    if (bulk.kind === 'table') {
      const plan = planRelease({ allocations, policy, now, screening, ...bulk });
      return {
        ...plan,
        userRecordsRequested: ids.length,
        userRead: 'bulk table, cross-checked',
        warnings,
        candidateUsers: candidateUsers(plan),
      };
    }
    if (bulk.kind === 'untrusted') {
      const warning = `The bulk user table was not trusted for this run (${bulk.reason}); users were read by id instead`;
      warnings.push(warning);
      options.logger?.warn(warning);
      notTrusted = { userTableNotTrusted: bulk.reason };
    }
  }
  for (;;) {
    const selection = selectCandidates(screening.eligible, policy, records);
    if (selection.awaiting === 0) {
      const plan = {
        candidates: selection.candidates,
        kept: [...screening.kept, ...selection.kept],
      };
      return {
        ...plan,
        userRecordsRequested: records.size,
        userRead: policy.rules.needsUserRecord ? 'id batches' : null,
        warnings,
        ...notTrusted,
        candidateUsers: candidateUsers(plan),
      };
    }
    // Ask for enough users to fill the cap at the pass rate seen so far, in whole batches.
    const judged = selection.candidates.length + countJudgedByRecord(selection.kept);
    const passRate = judged === 0 ? 1 : selection.candidates.length / judged;
    const wanted = Math.ceil(selection.awaiting / Math.max(passRate, MIN_PASS_RATE));
    const ids = selection.unresolvedUserIds.slice(0, Math.ceil(wanted / batchSize) * batchSize);
    // Every round resolves at least the awaited users; an empty round would loop for ever.
    if (ids.length === 0) throw new Error('release plan: user records awaited but none to look up');
    await records.load(qrs, ids, batchSize, options.userConcurrency);
  }
}

/** The key of an allocation in `candidateUsers`: type and id (ids are unique per type). */
export function candidateKey(item: { licenseType: LicenseType; accessTypeId: string }): string {
  return `${item.licenseType}/${item.accessTypeId.toLowerCase()}`;
}

function countJudgedByRecord(kept: ReadonlyArray<{ reason: string }>): number {
  let count = 0;
  for (const item of kept) if (item.reason !== 'cap') count++;
  return count;
}

/** User records looked up so far; a record QRS did not return (or returned unusable) is doubt. */
class UserRecordCache implements UserRecords {
  private readonly known = new Map<string, UserRecordLookup>();

  get size(): number {
    return this.known.size;
  }

  lookup(userId: string): UserRecordLookup | undefined {
    return this.known.get(userId.toLowerCase());
  }

  async load(
    qrs: ReleaseQrs,
    ids: readonly string[],
    batchSize: number,
    concurrency?: number,
  ): Promise<void> {
    const guids: string[] = [];
    for (const id of ids) {
      if (isGuid(id)) guids.push(id);
      else this.known.set(id.toLowerCase(), { missing: missingUserDetail(id, 'id is not a GUID') });
    }
    if (guids.length === 0) return;
    const { users, invalid } = await qrs.getUsersByIds(guids, {
      batchSize,
      ...(concurrency ? { concurrency } : {}),
    });
    for (const [id, found] of users) this.known.set(id.toLowerCase(), { found });
    for (const entry of invalid)
      if (entry.id)
        this.known.set(entry.id.toLowerCase(), {
          missing: missingUserDetail(entry.id, entry.problem),
        });
    for (const id of guids)
      if (!this.known.has(id.toLowerCase()))
        this.known.set(id.toLowerCase(), { missing: missingUserDetail(id) });
  }
}
