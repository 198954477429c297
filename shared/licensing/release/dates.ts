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
  // `Date.parse` rolls an impossible day over (2024-02-30 → March 1): that is a guess, not a date.
  if (!isCalendarDate(text)) return { kind: 'invalid', raw };
  // QRS always sends UTC with a `Z`; a date without an offset is read as UTC, not local time.
  const ms = Date.parse(match[1] ? text : `${text.length === 10 ? `${text}T00:00:00` : text}Z`);
  if (!Number.isFinite(ms)) return { kind: 'invalid', raw };
  return ms < EARLIEST_REAL_DATE_MS ? { kind: 'none' } : { kind: 'date', ms };
}

/** `YYYY-MM-DD` (the text's first ten characters) names a day that exists. */
function isCalendarDate(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1–12) of `year` (Gregorian), without making a Date for each allocation. */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1] as number;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

const DAY_MS = 86_400_000;
const two = (value: number): string => (value < 10 ? `0${value}` : String(value));

/**
 * `new Date(ms).toISOString()`, several times faster (a run formats the last activity of every
 * allocation it reads: 50,000 on a large site). Whole milliseconds of the years 1000–9999; other
 * values go to `toISOString` itself.
 */
export function isoString(ms: number): string {
  if (!Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1000 || year > 9999) return new Date(ms).toISOString();
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const fraction = millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : String(millis);
  return `${year}-${two(month)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}.${fraction}Z`;
}
