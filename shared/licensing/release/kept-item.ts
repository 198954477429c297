import type { KeepReason, KeptItem, ReleaseItem } from './types.ts';

/**
 * Built field by field, not with `{ ...item }`: a spread makes a dictionary-mode object about four
 * times the size, and a large site keeps one per allocation (docs/release.md, "Memory").
 */
export function keptItem(
  item: ReleaseItem,
  reason: KeepReason,
  detail: string | undefined,
): KeptItem {
  const { accessTypeId, licenseType, userDirectory, userId, lastActivity, inactiveDays } = item;
  return detail
    ? {
        accessTypeId,
        licenseType,
        userDirectory,
        userId,
        lastActivity,
        inactiveDays,
        reason,
        detail,
      }
    : { accessTypeId, licenseType, userDirectory, userId, lastActivity, inactiveDays, reason };
}
