/**
 * Re-checks a reviewed plan against fresh QRS data (docs/release.md, "Review, then apply"): reads
 * exactly the plan's allocations by id (50 per request), never any other, and judges them under
 * today's rules and cap. What QRS no longer returns, or what today's rules do not cover, is
 * `skipped` with the reason; an allocation that became active or protected is `kept` as usual.
 */
import pLimit from 'p-limit';
import type { Allocation, LicenseType } from '#shared/qrs/allocation.ts';
import { idIn, isGuid } from '#shared/qrs/filter.ts';
import { dropDuplicateAllocations } from './duplicates.ts';
import { type FetchOptions, type JudgedPlan, judgeAllocations, type ReleaseQrs } from './fetch.ts';
import type { ReleasePolicy } from './planner.ts';
import type { ReleaseItem, SkippedItem } from './types.ts';

const IDS_PER_REQUEST = 50;

export interface PlannedRelease extends JudgedPlan {
  skipped: SkippedItem[];
  malformed: number;
}

export async function fetchPlannedRelease(
  qrs: ReleaseQrs,
  policy: ReleasePolicy,
  now: Date,
  planned: readonly ReleaseItem[],
  options: FetchOptions = {},
): Promise<PlannedRelease> {
  const skipped: SkippedItem[] = [];
  const wanted = new Map<string, ReleaseItem>();
  for (const item of planned) {
    const key = keyOf(item.licenseType, item.accessTypeId);
    if (wanted.has(key)) continue;
    if (policy.thresholdDays[item.licenseType] === undefined)
      skipped.push({
        ...item,
        detail: `licenseType.${item.licenseType} is not enabled in the current rules`,
      });
    else if (!isGuid(item.accessTypeId))
      skipped.push({ ...item, detail: 'the access type id is not a QRS id (GUID)' });
    else wanted.set(key, item);
  }

  const batches: Array<[LicenseType, string[]]> = [];
  const byType = new Map<LicenseType, string[]>();
  for (const item of wanted.values())
    byType.set(item.licenseType, [...(byType.get(item.licenseType) ?? []), item.accessTypeId]);
  for (const [type, ids] of byType)
    for (let i = 0; i < ids.length; i += IDS_PER_REQUEST)
      batches.push([type, ids.slice(i, i + IDS_PER_REQUEST)]);
  const limit = pLimit(Math.max(1, options.userConcurrency ?? 4));
  const lists = await Promise.all(
    batches.map(([type, ids]) => limit(() => qrs.listAllocations(type, idIn(ids)))),
  );

  const found: Allocation[] = [];
  const seen = new Set<string>();
  // Copies of one allocation that disagree are doubt (duplicates.ts), as in a normal run.
  const { allocations } = dropDuplicateAllocations(lists.flatMap((list) => list.allocations));
  for (const allocation of allocations) {
    const key = keyOf(allocation.licenseType, allocation.id);
    const item = wanted.get(key);
    // Only the plan's own allocations, whatever the server returned: nothing else is ever judged.
    if (!item || seen.has(key)) continue;
    seen.add(key);
    const owner = ownerChange(item, allocation);
    if (owner) skipped.push({ ...item, detail: owner });
    else found.push(allocation);
  }
  for (const [key, item] of wanted)
    if (!seen.has(key))
      skipped.push({
        ...item,
        detail: 'QRS no longer returns this allocation (released or removed since the plan)',
      });

  const judged = await judgeAllocations(qrs, found, policy, now, options);
  return {
    ...judged,
    skipped,
    malformed: lists.reduce((sum, list) => sum + list.malformed.length, 0),
  };
}

function keyOf(type: LicenseType, id: string): string {
  return `${type}/${id.toLowerCase()}`;
}

/** An allocation id never changes hands in QRS; if it seems to, that is doubt: not applied. */
function ownerChange(item: ReleaseItem, allocation: Allocation): string | undefined {
  if (!allocation.user || item.userDirectory === null || item.userId === null) return undefined;
  const same =
    allocation.user.userDirectory.toLowerCase() === item.userDirectory.toLowerCase() &&
    allocation.user.userId.toLowerCase() === item.userId.toLowerCase();
  return same
    ? undefined
    : `the plan names ${item.userDirectory}\\${item.userId}, QRS now ${allocation.user.userDirectory}\\${allocation.user.userId}: not applied`;
}
