/**
 * Reads the day a license is valid through, in the forms Qlik may print it (docs/monitor.md,
 * "License expiry"): `2026-12-31`, `2026/12/31`, `2026-12-31T00:00:00` (the time is ignored: the
 * date is a day), `12/31/2026` and `31/12/2026` when the order is unambiguous, `31.12.2026`,
 * `31 Dec 2026`, `Dec 31, 2026`. Words such as `Never` or `Unlimited`, and 9999-12-31, mean no
 * limit. Anything else is unreadable, with the reason: never a guess.
 */

export interface LicenseDay {
  year: number;
  month: number;
  day: number;
}

export type LicenseDateReading =
  | { kind: 'day'; day: LicenseDay }
  | { kind: 'noLimit' }
  | { kind: 'unreadable'; reason: string };

const ISO = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])/;
const NUMERIC_YEAR_LAST = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:$|[T\s,])/;
const DAY_MONTH_NAME = /^(\d{1,2})\.?\s+([A-Za-z]{3,})\.?,?\s+(\d{4})(?:$|[T\s,])/;
const MONTH_NAME_DAY = /^([A-Za-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})(?:$|[T\s,])/;
const NO_LIMIT = /^(never|unlimited|perpetual|none|no limit|no expiry|no expiration)$/i;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** Dates before this are placeholders ("no date": 0001-01-01, 1753-01-01), not an expiry. */
const EARLIEST_YEAR = 1900;
/** 9999-12-31 is the "no end" placeholder. */
const NO_END_YEAR = 9999;

export function readLicenseDate(raw: string): LicenseDateReading {
  const text = raw.trim().replace(/^["']|["']$/g, '');
  if (text === '') return unreadable('the value is empty');
  if (NO_LIMIT.test(text)) return { kind: 'noLimit' };
  const iso = ISO.exec(text);
  if (iso) return checked(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const numeric = NUMERIC_YEAR_LAST.exec(text);
  if (numeric) return dayMonthOrder(numeric, text);
  const dayFirst = DAY_MONTH_NAME.exec(text);
  if (dayFirst) return named(dayFirst[2] as string, Number(dayFirst[1]), Number(dayFirst[3]));
  const monthFirst = MONTH_NAME_DAY.exec(text);
  if (monthFirst)
    return named(monthFirst[1] as string, Number(monthFirst[2]), Number(monthFirst[3]));
  return unreadable('not a date format license-steward knows (such as 2026-12-31)');
}

/** `a/b/yyyy`: dots are day-first (European); slashes and dashes by whichever part exceeds 12. */
function dayMonthOrder(match: RegExpExecArray, text: string): LicenseDateReading {
  const a = Number(match[1]);
  const b = Number(match[3]);
  const year = Number(match[4]);
  if (match[2] === '.' || a > 12) return checked(year, b, a);
  if (b > 12 || a === b) return checked(year, a, b);
  return unreadable(
    `"${text}" could be month/day or day/month; the expiry is not guessed (a date such as 2026-12-31 is unambiguous)`,
  );
}

function named(monthName: string, day: number, year: number): LicenseDateReading {
  const month = MONTHS.indexOf(monthName.slice(0, 3).toLowerCase()) + 1;
  if (month === 0) return unreadable(`"${monthName}" is not a month`);
  return checked(year, month, day);
}

function checked(year: number, month: number, day: number): LicenseDateReading {
  if (year >= NO_END_YEAR) return { kind: 'noLimit' };
  if (year < EARLIEST_YEAR) return unreadable('a placeholder date ("no date"), not an expiry');
  const start = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-31 over into March: refuse instead of guessing.
  if (start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day)
    return unreadable('no such day');
  return { kind: 'day', day: { year, month, day } };
}

function unreadable(reason: string): LicenseDateReading {
  return { kind: 'unreadable', reason };
}
