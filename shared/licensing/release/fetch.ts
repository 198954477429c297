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
import { type BulkUserQrs, readUsersInBulk } from './bulk-users.ts';
import { dropDuplicateAllocations } from './duplicates.ts';
import {
  cutoffFor,
  listingDays,
  missingUserDetail,
  planRelease,
  type ReleasePlan,
  type ReleasePolicy,
  screenAllocations,
  selectCandidates,
  type UserRecordLookup,
  type UserRecords,
} from './planner.ts';

/** Without the bulk methods (test doubles), user records are read in id batches only. */
export type ReleaseQrs = Pick<QrsClient, 'listAllocations' | 'getUsersByIds'> &
  Partial<BulkUserQrs>;

export interface FetchOptions {
  /** User ids per `GET /qrs/user/full?filter=id eq … or …` request. */
  userBatchSize?: number;
  /** User requests in flight at once. */
  userConcurrency?: number;
  /** Rows per `/qrs/user/table` page of the bulk read. */
  userPageSize?: number;
  logger?: RunLogger;
}

export interface FetchedPlan extends ReleasePlan {
  /** Items QRS sent without an id: reported, never acted on. */
  malformed: number;
  userRecordsRequested: number;
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
    types.map(([type, days]) =>
      qrs.listAllocations(type, inactiveFilter(listingDays(policy, days), now)),
    ),
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
): Promise<ReleasePlan & { userRecordsRequested: number }> {
  const batchSize = Math.max(1, options.userBatchSize ?? DEFAULT_USER_BATCH_SIZE);
  const screening = screenAllocations(allocations, policy, now);
  const records = new UserRecordCache();
  const first = selectCandidates(screening.eligible, policy, records, now.getTime());
  if (first.awaiting > 0 && qrs.countUsers && qrs.getUserTable) {
    const ids = first.unresolvedUserIds;
    const firstRound = Math.min(ids.length, Math.ceil(first.awaiting / batchSize) * batchSize);
    const bulk = await readUsersInBulk(
      { countUsers: qrs.countUsers.bind(qrs), getUserTable: qrs.getUserTable.bind(qrs) },
      policy.rules.userColumns,
      ids,
      {
        idRequests: Math.ceil(firstRound / batchSize),
        ...(options.userPageSize ? { pageSize: options.userPageSize } : {}),
        ...(options.userConcurrency ? { concurrency: options.userConcurrency } : {}),
        ...(options.logger ? { warn: options.logger.warn.bind(options.logger) } : {}),
      },
    );
    if (bulk) {
      const plan = planRelease({ allocations, policy, now, screening, ...bulk });
      return { ...plan, userRecordsRequested: ids.length };
    }
  }
  for (;;) {
    const selection = selectCandidates(screening.eligible, policy, records, now.getTime());
    if (selection.awaiting === 0) {
      return {
        candidates: selection.candidates,
        kept: [...screening.kept, ...selection.kept],
        userRecordsRequested: records.size,
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
