/**
 * QRS has been seen to list the same allocation twice in one answer (paging under concurrent
 * changes). The same id in the same license type is one allocation: judged once, released with
 * one DELETE, counted once; the repeats are dropped with a warning. Copies that disagree (another
 * `lastUsed`, user or flag: the allocation changed while it was read) are doubt: the one kept
 * carries a `lastUsed` problem, so the planner keeps it (`no-date`) instead of judging either copy.
 */
import type { Allocation } from '#shared/qrs/allocation.ts';

export function dropDuplicateAllocations(allocations: readonly Allocation[]): {
  allocations: Allocation[];
  duplicates: Array<{ licenseType: Allocation['licenseType']; id: string; times: number }>;
} {
  const seen = new Map<string, { times: number; index: number; content: string }>();
  const unique: Allocation[] = [];
  for (const allocation of allocations) {
    const key = `${allocation.licenseType}/${allocation.id.toLowerCase()}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, { times: 1, index: unique.length, content: contentOf(allocation) });
      unique.push(allocation);
      continue;
    }
    first.times++;
    const kept = unique[first.index] as Allocation;
    if (contentOf(allocation) !== first.content && kept.problems.lastUsed !== CONFLICT)
      unique[first.index] = { ...kept, problems: { ...kept.problems, lastUsed: CONFLICT } };
  }
  const duplicates = [...seen.entries()]
    .filter(([, entry]) => entry.times > 1)
    .map(([key, entry]) => {
      const [licenseType, id] = key.split('/') as [Allocation['licenseType'], string];
      return { licenseType, id, times: entry.times };
    });
  return { allocations: unique, duplicates };
}

const CONFLICT =
  'lastUsed: QRS listed this allocation more than once, and the copies differ (changed while read?)';

/** What the rules read from an allocation (its id aside). */
function contentOf(allocation: Allocation): string {
  const { createdDate, lastUsed, quarantined, user, deletedUser, problems } = allocation;
  return JSON.stringify([createdDate, lastUsed, quarantined, user, deletedUser, problems]);
}
