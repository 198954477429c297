/**
 * QRS dates as the release rules read them. QRS writes "no date" as 1753-01-01 (SQL Server's
 * smallest DateTime); other tools use 0001-01-01. Any date before 1900 is therefore "no date",
 * never a real last use. Text that is not an ISO 8601 date is "invalid": doubt, never a guess.
 */

export type QrsDate =
  | { kind: 'date'; ms: number }
  | { kind: 'none' }
  | { kind: 'invalid'; raw: string };

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** 1900-01-01T00:00:00Z: earlier dates are placeholders, not activity. */
const EARLIEST_REAL_DATE_MS = Date.UTC(1900, 0, 1);

export function parseQrsDate(raw: string | null | undefined): QrsDate {
  if (raw === null || raw === undefined || raw.trim() === '') return { kind: 'none' };
  const text = raw.trim();
  const match = ISO_8601.exec(text);
  if (!match) return { kind: 'invalid', raw };
  // QRS always sends UTC with a `Z`; a date without an offset is read as UTC, not local time.
  const ms = Date.parse(match[1] ? text : `${text.length === 10 ? `${text}T00:00:00` : text}Z`);
  if (!Number.isFinite(ms)) return { kind: 'invalid', raw };
  return ms < EARLIEST_REAL_DATE_MS ? { kind: 'none' } : { kind: 'date', ms };
}
