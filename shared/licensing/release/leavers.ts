/**
 * Leavers (docs/release.md, "Leavers"): a user the QMC shows as removed externally, blocked or
 * inactive may be released after `leavers.<flag>.releaseAfterDays` instead of the type's
 * inactivity threshold. Only the user record tells, so such allocations wait for it; a record
 * without the flag is doubt (kept).
 */
import { LEAVER_FLAGS, type LeaverFlag, type LicenseReleaseConfig } from '#shared/config/schema.ts';
import type { QrsUser } from '#shared/qrs/schemas.ts';
import type { UserFlagColumn } from '#shared/qrs/user-table.ts';

export type LeaverReason = `leaver:${LeaverFlag}`;

/** The user record's flag behind each config word (`blocked` is QRS's `blacklisted`). */
export const LEAVER_RECORD_FLAG: Record<LeaverFlag, UserFlagColumn> = {
  removedExternally: 'removedExternally',
  blocked: 'blacklisted',
  inactive: 'inactive',
};

const DAY_MS = 86_400_000;

export interface LeaverPolicy {
  /** Days per configured flag, in the order flags are judged. */
  readonly days: ReadonlyArray<readonly [LeaverFlag, number]>;
  /** The fewest days of any flag: allocations inactive that long may be leavers; `undefined` = off. */
  readonly floorDays: number | undefined;
  readonly columns: readonly UserFlagColumn[];
}

export function leaverPolicy(config: LicenseReleaseConfig['leavers']): LeaverPolicy {
  const days = LEAVER_FLAGS.flatMap((flag) => {
    const rule = config[flag];
    return rule ? [[flag, rule.releaseAfterDays] as const] : [];
  });
  return {
    days,
    floorDays: days.length === 0 ? undefined : Math.min(...days.map(([, value]) => value)),
    columns: days.map(([flag]) => LEAVER_RECORD_FLAG[flag]),
  };
}

export function leaverFlagOf(reason: LeaverReason): LeaverFlag {
  return reason.slice('leaver:'.length) as LeaverFlag;
}

export type LeaverVerdict = { reason: LeaverReason } | { notLeaver: string };

/** Whether the record makes an allocation inactive `inactiveMs` a leaver to release now. */
export function judgeLeaver(
  policy: LeaverPolicy,
  record: QrsUser,
  inactiveMs: number,
): LeaverVerdict {
  const unread: string[] = [];
  const early: string[] = [];
  for (const [flag, days] of policy.days) {
    const value = record[LEAVER_RECORD_FLAG[flag]];
    if (typeof value !== 'boolean') {
      unread.push(LEAVER_RECORD_FLAG[flag]);
      continue;
    }
    if (!value) continue;
    if (inactiveMs >= days * DAY_MS) return { reason: `leaver:${flag}` };
    early.push(`${flag} but leavers.${flag}.releaseAfterDays is ${days}`);
  }
  if (unread.length > 0)
    return { notLeaver: `the user record has no ${unread.join(', ')} flag (doubt: not a leaver)` };
  return { notLeaver: early.length > 0 ? early.join('; ') : 'not a leaver' };
}

/** The days the server-side filter of one type uses: its threshold, or fewer for leavers. */
export function listingDays(leavers: LeaverPolicy, thresholdDays: number): number {
  const floor = leavers.floorDays;
  return floor === undefined ? thresholdDays : Math.min(thresholdDays, floor);
}
