/**
 * License expiry (docs/monitor.md): a date D (LEF `TIMELIMIT` or a signed key's `Valid To`)
 * means valid through the end of day D in UTC, so the license expires at D+1 00:00Z.
 */

import { StewardError } from '#shared/errors.ts';
import { type LicenseDay, readLicenseDate } from './license-date.ts';

export const DAY_MS = 86_400_000;

export interface Expiry {
  /** ISO timestamp, or `null` when the license has no time limit. */
  expiresAt: string | null;
  /** Fractional days from `now` to `expiresAt` (negative once expired), or `null`. */
  daysUntilExpiry: number | null;
}

export const NO_EXPIRY: Expiry = { expiresAt: null, daysUntilExpiry: null };

export class LicenseDateError extends StewardError {
  constructor(text: string, where: string, reason: string) {
    super(`cannot read the license date "${text}" in ${where}: ${reason}`);
    this.name = 'LicenseDateError';
  }
}

/** The expiry for a license valid through `day`. */
export function expiryThrough(day: LicenseDay, now: Date): Expiry {
  const expiresAt = Date.UTC(day.year, day.month - 1, day.day) + DAY_MS;
  return {
    expiresAt: new Date(expiresAt).toISOString(),
    daysUntilExpiry: (expiresAt - now.getTime()) / DAY_MS,
  };
}

/** The expiry for a license valid through `dateText`; throws when the text is not a date. */
export function expiryFromDate(dateText: string, now: Date, where: string): Expiry {
  const reading = readLicenseDate(dateText);
  if (reading.kind === 'noLimit') return NO_EXPIRY;
  if (reading.kind === 'unreadable') throw new LicenseDateError(dateText, where, reading.reason);
  return expiryThrough(reading.day, now);
}
