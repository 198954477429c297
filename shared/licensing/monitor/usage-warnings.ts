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
  const shrunk = shrunkTokenPool(snapshot);
  if (shrunk) warnings.push({ subject: 'tokens', message: shrunk });
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

/**
 * Tokens held (user access passes allocated or in quarantine, plus login access) above the LEF's
 * `TOKENS`: the pool shrank under a new LEF. Qlik frees no token until the allocated tokens fall
 * below the new number, so passes released now do not become available yet (docs/release.md).
 */
function shrunkTokenPool(snapshot: LicenseSnapshot): string | undefined {
  const tokens = snapshot.tokens;
  const granted = snapshot.license?.licensed?.tokens ?? null;
  if (!tokens?.enabled || granted === null) return undefined;
  const held = heldTokens(tokens);
  if (held === null || held <= granted) return undefined;
  const over = round(held - granted);
  return `${round(held)} tokens allocated but the LEF licenses ${granted} (the token pool shrank): releasing user access passes frees no tokens until allocated tokens fall below ${granted}, so the first ${over} token(s) released do not become available`;
}

/** From QRS's user and login access detail; without it, `total - available`. */
function heldTokens(tokens: NonNullable<LicenseSnapshot['tokens']>): number | null {
  const { userAccess, loginAccess } = tokens;
  if (userAccess?.allocatedTokens != null && loginAccess?.allocatedTokens != null)
    return (
      userAccess.allocatedTokens + (userAccess.quarantinedTokens ?? 0) + loginAccess.allocatedTokens
    );
  if (tokens.total === null || tokens.available === null) return null;
  return tokens.total - tokens.available;
}

/** Token counts may be fractional (login access passes cost 0.1). */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function heldAllocations(usage: AccessTypeUsage): number | null {
  if (usage.allocated === null) return null;
  return usage.allocated + (usage.quarantined ?? 0);
}
