/**
 * License expiry (docs/monitor.md): a date D (LEF `TIMELIMIT` or a signed key's `Valid To:`)
 * means valid through the end of day D in UTC, so the license expires at D+1 00:00Z.
 */

export const DAY_MS = 86_400_000;

export interface Expiry {
  /** ISO timestamp, or `null` when the license has no time limit. */
  expiresAt: string | null;
  /** Fractional days from `now` to `expiresAt` (negative once expired), or `null`. */
  daysUntilExpiry: number | null;
}

export const NO_EXPIRY: Expiry = { expiresAt: null, daysUntilExpiry: null };

export class LicenseDateError extends Error {
  constructor(text: string, where: string) {
    super(`cannot read the license date "${text}" in ${where} (expected YYYY-MM-DD)`);
    this.name = 'LicenseDateError';
  }
}

/** `2026-03-31`, also `2026/03/31` or a date with a time part (the time is ignored: D is a day). */
const DATE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:$|[T\s])/;

/** The expiry for a license valid through `dateText`; throws when the text is not a date. */
export function expiryFromDate(dateText: string, now: Date, where: string): Expiry {
  const match = DATE.exec(dateText.trim());
  if (!match) throw new LicenseDateError(dateText, where);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const startOfDay = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2026-02-31 over into March: reject instead of guessing.
  if (new Date(startOfDay).getUTCDate() !== day || new Date(startOfDay).getUTCMonth() !== month - 1)
    throw new LicenseDateError(dateText, where);
  const expiresAt = startOfDay + DAY_MS;
  return {
    expiresAt: new Date(expiresAt).toISOString(),
    daysUntilExpiry: (expiresAt - now.getTime()) / DAY_MS,
  };
}

/** The date on a signed key's `Valid To:` line, or `null` when there is none. */
export function signedKeyValidTo(keyDetails: string): string | null {
  for (const line of keyDetails.split(/\r?\n/)) {
    const match = /^\s*Valid\s*To\s*:\s*(.*)$/i.exec(line);
    if (match) {
      const value = (match[1] ?? '').trim();
      return value === '' ? null : value;
    }
  }
  return null;
}
