/**
 * Schedule expressions, checked before deployment (a typo must not become a schedule that never
 * fires). EventBridge Scheduler forms: `rate(N unit)`, `cron(6 fields)`, `at(yyyy-mm-ddThh:mm:ss)`;
 * Butler's `every N minutes|hours|days` text is translated to `rate(...)`.
 */

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const BUTLER_EVERY = /^every (\d+) (minute|minutes|hour|hours|day|days)$/i;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;

const MONTHS = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC';
const DAYS = 'SUN|MON|TUE|WED|THU|FRI|SAT';

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string;
  extra?: RegExp;
}

const CRON_FIELDS: CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, extra: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, extra: /^(\?|L|\d#[1-5]|[1-7]L)$/i },
  { name: 'year', min: 1970, max: 2199 },
];

/** Returns the EventBridge Scheduler expression, or throws an Error saying what is wrong. */
export function parseSchedule(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const every = BUTLER_EVERY.exec(trimmed);
  if (every) return checkRate(Number(every[1]), (every[2] as string).toLowerCase());
  const rate = RATE.exec(trimmed);
  if (rate) return checkRate(Number(rate[1]), rate[2] as string);
  if (trimmed.startsWith('rate(')) {
    throw new Error(
      `"${text}" is not a rate expression: use rate(N minutes|hours|days), e.g. rate(15 minutes)`,
    );
  }
  if (trimmed.startsWith('cron(') && trimmed.endsWith(')'))
    return checkCron(trimmed.slice(5, -1), text);
  const at = AT.exec(trimmed);
  if (at) {
    if (Number.isNaN(Date.parse(`${trimmed.slice(3, -1)}Z`)))
      throw new Error(`"${text}" is not a valid date`);
    return trimmed;
  }
  throw new Error(
    `"${text}" is not a schedule: use rate(15 minutes), cron(0 2 * * ? *), at(2026-12-01T02:00:00) or Butler's "every 15 minutes"`,
  );
}

function checkRate(value: number, unit: string): string {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`rate must be a whole number ≥ 1, got ${value}`);
  const singular = unit.replace(/s$/, '');
  // EventBridge requires the singular unit for 1 and the plural otherwise.
  return `rate(${value} ${value === 1 ? singular : `${singular}s`})`;
}

function checkCron(body: string, original: string): string {
  const fields = body.split(' ');
  if (fields.length !== 6) {
    throw new Error(
      `"${original}" has ${fields.length} fields; EventBridge cron has 6: minutes hours day-of-month month day-of-week year, e.g. cron(0 2 * * ? *)`,
    );
  }
  for (const [index, field] of fields.entries()) {
    checkCronField(field, CRON_FIELDS[index] as CronField, original);
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new Error(
      `"${original}": exactly one of day-of-month and day-of-week must be "?", e.g. cron(0 2 * * ? *)`,
    );
  }
  return `cron(${body})`;
}

function checkCronField(field: string, spec: CronField, original: string): void {
  if (field === '*' || spec.extra?.test(field)) return;
  const value = spec.names ? `(\\d{1,4}|${spec.names})` : '(\\d{1,4})';
  const item = new RegExp(`^(\\*|${value}(-${value})?)(/\\d{1,4})?$`, 'i');
  for (const part of field.split(',')) {
    const match = item.exec(part);
    const numbers = (part.match(/\d+/g) ?? []).map(Number);
    const bounds = part.includes('/') ? numbers.slice(0, -1) : numbers;
    if (!match || bounds.some((n) => n < spec.min || n > spec.max)) {
      throw new Error(
        `"${original}": ${spec.name} field "${field}" is not valid (${spec.min}-${spec.max})`,
      );
    }
  }
}
