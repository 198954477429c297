/**
 * QRS has been seen to list the same allocation twice in one answer (paging under concurrent
 * changes). The same id in the same license type is one allocation: judged once, released with
 * one DELETE, counted once; the repeats are dropped with a warning.
 */
import type { Allocation } from '#shared/qrs/allocation.ts';

export function dropDuplicateAllocations(allocations: readonly Allocation[]): {
  allocations: Allocation[];
  duplicates: Array<{ licenseType: Allocation['licenseType']; id: string; times: number }>;
} {
  const seen = new Map<string, number>();
  const unique: Allocation[] = [];
  for (const allocation of allocations) {
    const key = `${allocation.licenseType}/${allocation.id.toLowerCase()}`;
    const times = seen.get(key);
    seen.set(key, (times ?? 0) + 1);
    if (times === undefined) unique.push(allocation);
  }
  const duplicates = [...seen.entries()]
    .filter(([, times]) => times > 1)
    .map(([key, times]) => {
      const [licenseType, id] = key.split('/') as [Allocation['licenseType'], string];
      return { licenseType, id, times };
    });
  return { allocations: unique, duplicates };
}
