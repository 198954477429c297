/**
 * A strict InfluxDB line protocol parser for the tests (written from the line protocol reference,
 * independently of the encoder under test). It rejects what InfluxDB rejects, and a little more
 * that InfluxDB would accept but this project never means to write:
 *
 * - measurement, tag keys, tag values and field keys: a backslash pairs with the next character;
 *   `\,` `\=` `\ ` `\\` are escapes, any other pair is kept as written; an unescaped `,` `=` or
 *   space ends the element, and an element must not be empty; no raw line break;
 * - tags: `key=value`, keys unique; fields: at least one, keys unique;
 * - field values: `"…"` (only `\"` and `\\` escapes, no raw line break), `true`/`false`,
 *   integers `-?\d+i`, unsigned `\d+u`, floats (`1`, `-1.5`, `1e+21`; no NaN or Infinity);
 * - a timestamp is required (this project always sends one): an integer.
 */

export type ParsedValue =
  | { type: 'float'; value: number }
  | { type: 'integer'; value: bigint }
  | { type: 'uinteger'; value: bigint }
  | { type: 'string'; value: string }
  | { type: 'boolean'; value: boolean };

export interface ParsedLine {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, ParsedValue>;
  /** In the request's precision. */
  timestamp: bigint;
}

export class LineParseError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'LineParseError';
  }
}

const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+i$/;
const UINTEGER = /^\d+u$/;
const BOOLEAN = /^(t|T|true|True|TRUE|f|F|false|False|FALSE)$/;

/** Parses a request body: one point per non-empty line (a trailing newline is allowed). */
export function parseLines(body: string): ParsedLine[] {
  const lines = body.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, index) => parseLine(line, index + 1));
}

export function parseLine(line: string, number = 1): ParsedLine {
  if (line.includes('\r')) throw new LineParseError(number, 'a raw carriage return');
  if (line.trim() === '' || line.startsWith('#'))
    throw new LineParseError(number, 'an empty line or a comment where a point was expected');
  let position = 0;
  const fail = (message: string): never => {
    throw new LineParseError(number, `${message} (at column ${position + 1})`);
  };

  /** An element up to one of `stops` (unescaped), with escapes resolved. */
  const element = (stops: string, what: string): string => {
    let out = '';
    while (position < line.length) {
      const character = line[position] as string;
      if (character === '\\') {
        const next = line[position + 1];
        if (next === undefined) fail(`${what} ends in a lone backslash`);
        out += next === ',' || next === '=' || next === ' ' || next === '\\' ? next : `\\${next}`;
        position += 2;
        continue;
      }
      if (stops.includes(character)) break;
      out += character;
      position++;
    }
    if (out === '') fail(`empty ${what}`);
    return out;
  };

  const measurement = element(', ', 'measurement');
  const tags: Record<string, string> = {};
  while (line[position] === ',') {
    position++;
    const key = element('=, ', 'tag key');
    if (line[position] !== '=') fail(`tag ${key} has no "="`);
    position++;
    const value = element(', =', 'tag value');
    if (key in tags) fail(`duplicate tag ${key}`);
    tags[key] = value;
  }
  if (line[position] !== ' ') fail('expected a space before the fields');
  position++;

  const fields: Record<string, ParsedValue> = {};
  for (;;) {
    const key = element('=, ', 'field key');
    if (line[position] !== '=') fail(`field ${key} has no "="`);
    position++;
    if (key in fields) fail(`duplicate field ${key}`);
    fields[key] = fieldValue(key);
    if (line[position] === ',') {
      position++;
      continue;
    }
    break;
  }
  if (line[position] !== ' ') fail('expected a space and a timestamp after the fields');
  position++;
  const stamp = line.slice(position);
  if (!/^-?\d+$/.test(stamp)) fail(`timestamp "${stamp}" is not an integer`);
  return { measurement, tags, fields, timestamp: BigInt(stamp) };

  function fieldValue(key: string): ParsedValue {
    if (line[position] === '"') {
      position++;
      let out = '';
      while (position < line.length) {
        const character = line[position] as string;
        if (character === '\\' && (line[position + 1] === '"' || line[position + 1] === '\\')) {
          out += line[position + 1];
          position += 2;
          continue;
        }
        if (character === '"') {
          position++;
          return { type: 'string', value: out };
        }
        out += character;
        position++;
      }
      return fail(`string field ${key} is not closed`);
    }
    const start = position;
    while (position < line.length && line[position] !== ',' && line[position] !== ' ') position++;
    const raw = line.slice(start, position);
    if (INTEGER.test(raw)) return { type: 'integer', value: BigInt(raw.slice(0, -1)) };
    if (UINTEGER.test(raw)) return { type: 'uinteger', value: BigInt(raw.slice(0, -1)) };
    if (BOOLEAN.test(raw)) return { type: 'boolean', value: /^[tT]/.test(raw) };
    if (FLOAT.test(raw)) return { type: 'float', value: Number(raw) };
    return fail(`field ${key} has an invalid value "${raw}"`);
  }
}
