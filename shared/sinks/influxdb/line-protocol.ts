/**
 * InfluxDB line protocol (the write format of InfluxDB 1, 2 and 3):
 * `measurement,tag=value,tag=value field=value,field=value timestamp`.
 *
 * Escaping follows InfluxData's own clients: in measurement names commas and spaces, in tag keys,
 * tag values and field keys commas, equals signs and spaces get a backslash. A backslash of the
 * value itself stays single unless it would pair with what follows (a special character, another
 * backslash, or the end of the value): Butler's `user=INTERNAL\sa_api` is written exactly as
 * Butler wrote it. String field values are quoted, with `"` and `\` escaped. A line break cannot
 * be written in any part of a line: in names and tag values it becomes the text `\n`, in string
 * fields a space. String fields are cut at 2,048 characters.
 */
import { StewardError } from '#shared/errors.ts';

/** A field value with its line-protocol type: InfluxDB fixes a field's type per measurement. */
export type FieldValue =
  | { type: 'float'; value: number }
  | { type: 'integer'; value: number }
  | { type: 'string'; value: string }
  | { type: 'boolean'; value: boolean };

export interface InfluxPoint {
  measurement: string;
  /** Written sorted by key (what InfluxDB recommends); empty values are left out. */
  tags: Readonly<Record<string, string>>;
  /** Written in this order. A point needs at least one field. */
  fields: ReadonlyArray<readonly [name: string, value: FieldValue]>;
  time: Date;
}

export class LineProtocolError extends StewardError {
  constructor(message: string) {
    super(message);
    this.name = 'LineProtocolError';
  }
}

export const float = (value: number): FieldValue => ({ type: 'float', value });
export const integer = (value: number): FieldValue => ({ type: 'integer', value });
export const text = (value: string): FieldValue => ({ type: 'string', value });
export const bool = (value: boolean): FieldValue => ({ type: 'boolean', value });

/** InfluxDB's limit for a string field value is 64 KiB; keep well below it. */
const MAX_STRING_FIELD = 2048;

const LINE_BREAK_TEXT: Record<string, string> = { '\n': '\\n', '\r': '\\r' };

/**
 * Backslash-escapes the `special` characters. A backslash of the value itself is doubled only where
 * it would otherwise pair with what follows (a special character, another backslash, or the end).
 */
function escapeWith(value: string, special: string): string {
  const plain = value.replace(/[\r\n]/g, (character) => LINE_BREAK_TEXT[character] as string);
  let out = '';
  for (let index = 0; index < plain.length; index++) {
    const character = plain[index] as string;
    if (special.includes(character)) out += `\\${character}`;
    else if (character === '\\') {
      const next = plain[index + 1];
      out += next === undefined || next === '\\' || special.includes(next) ? '\\\\' : '\\';
    } else out += character;
  }
  return out;
}

export function escapeMeasurement(name: string): string {
  return escapeWith(name, ', ');
}

/** Tag keys, tag values and field keys. */
export function escapeKey(name: string): string {
  return escapeWith(name, ',= ');
}

export function quoteString(value: string): string {
  const body = value.length > MAX_STRING_FIELD ? `${value.slice(0, MAX_STRING_FIELD)}…` : value;
  return `"${body.replace(/[\r\n]+/g, ' ').replace(/["\\]/g, (character) => `\\${character}`)}"`;
}

function formatField(name: string, field: FieldValue): string {
  switch (field.type) {
    case 'float':
      if (!Number.isFinite(field.value))
        throw new LineProtocolError(`field ${name} is not a finite number (${field.value})`);
      // `5` is a float in line protocol (integers carry the `i` suffix).
      return String(field.value);
    case 'integer':
      if (!Number.isSafeInteger(field.value))
        throw new LineProtocolError(`field ${name} is not a whole number (${field.value})`);
      return `${field.value}i`;
    case 'boolean':
      return field.value ? 'true' : 'false';
    case 'string':
      return quoteString(field.value);
  }
}

/** One point as one line, with the timestamp in milliseconds (the writers send `precision=ms`). */
export function toLine(point: InfluxPoint): string {
  if (point.measurement === '') throw new LineProtocolError('a measurement name must not be empty');
  if (point.fields.length === 0)
    throw new LineProtocolError(`a ${point.measurement} point needs at least one field`);
  const time = point.time.getTime();
  if (!Number.isFinite(time))
    throw new LineProtocolError(`a ${point.measurement} point has an invalid time`);
  const tags = Object.entries(point.tags)
    .filter(([key, value]) => key !== '' && value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `,${escapeKey(key)}=${escapeKey(value)}`)
    .join('');
  const fields = point.fields
    .map(([name, value]) => `${escapeKey(name)}=${formatField(name, value)}`)
    .join(',');
  return `${escapeMeasurement(point.measurement)}${tags} ${fields} ${time}`;
}
