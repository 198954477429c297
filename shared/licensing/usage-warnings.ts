/**
 * What in a snapshot deserves an administrator's attention, judged with the site's alarm
 * thresholds (`alarms.availableBelow`, `alarms.expiryWithinDays`): the same early warnings the
 * CloudWatch alarms give, for the CLI's table.
 */
import type { SiteConfig } from '#shared/config/schema.ts';
import type { AccessTypeUsage, LicenseSnapshot } from './snapshot.ts';

export interface UsageWarning {
  subject: 'professional' | 'analyzer' | 'tokens' | 'license';
  message: string;
}

export function usageWarnings(
  snapshot: LicenseSnapshot,
  alarms: SiteConfig['alarms'],
): UsageWarning[] {
  const warnings: UsageWarning[] = [];
  const licensed = snapshot.license?.licensed ?? null;
  for (const subject of ['professional', 'analyzer'] as const) {
    const usage = snapshot[subject];
    if (!usage || usage.enabled === false) continue;
    const threshold = alarms.availableBelow[subject];
    if (usage.available !== null && usage.available < threshold)
      warnings.push({
        subject,
        message: `only ${usage.available} available (warning below ${threshold})`,
      });
    if (usage.excess !== null && usage.excess > 0)
      warnings.push({ subject, message: `${usage.excess} allocation(s) in excess of the license` });
    const held = heldAllocations(usage);
    const granted = licensed?.[subject] ?? null;
    if (held !== null && granted !== null && held > granted)
      warnings.push({ subject, message: `${held} allocated but the LEF licenses ${granted}` });
  }
  const tokens = snapshot.tokens;
  if (tokens?.enabled && tokens.total !== null && tokens.available !== null) {
    const allocated = tokens.total - tokens.available;
    const granted = licensed?.tokens ?? null;
    if (granted !== null && allocated > granted)
      warnings.push({
        subject: 'tokens',
        message: `${allocated} tokens allocated but the LEF licenses ${granted}`,
      });
  }
  // An expiry that could not be read is unknown, not "no limit": say so.
  if (snapshot.license?.problem)
    warnings.push({ subject: 'license', message: snapshot.license.problem });
  const days = snapshot.license?.daysUntilExpiry ?? null;
  const expiresAt = snapshot.license?.expiresAt ?? null;
  if (days !== null && expiresAt !== null) {
    const through = validThrough(expiresAt);
    if (days <= 0)
      warnings.push({ subject: 'license', message: `expired (valid through ${through})` });
    else if (days <= alarms.expiryWithinDays)
      warnings.push({
        subject: 'license',
        message: `expires in ${Math.floor(days)} day(s) (valid through ${through}; warning within ${alarms.expiryWithinDays})`,
      });
  }
  return warnings;
}

/** The last valid day: `expiresAt` is the following midnight UTC. */
export function validThrough(expiresAt: string): string {
  return new Date(Date.parse(expiresAt) - 1).toISOString().slice(0, 10);
}

function heldAllocations(usage: AccessTypeUsage): number | null {
  if (usage.allocated === null) return null;
  return usage.allocated + (usage.quarantined ?? 0);
}
