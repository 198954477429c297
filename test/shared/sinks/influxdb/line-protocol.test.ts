/**
 * The line protocol encoder, checked line by line and read back with the strict parser the test
 * server uses (written from the reference, not from the encoder).
 */
import { describe, expect, it } from 'vitest';
import {
  bool,
  float,
  type InfluxPoint,
  integer,
  LineProtocolError,
  text,
  toLine,
} from '#shared/sinks/influxdb/line-protocol.ts';
import { parseLine } from '#test/support/line-protocol-parser.ts';

const AT = new Date('2026-03-01T12:00:00.000Z');

const point = (overrides: Partial<InfluxPoint> = {}): InfluxPoint => ({
  measurement: 'qlik_sense_license',
  tags: { site: 'prod' },
  fields: [['total', float(10)]],
  time: AT,
  ...overrides,
});

describe('line protocol', () => {
  it('writes measurement, sorted tags, fields in order and a millisecond timestamp', () => {
    // Act
    const line = toLine(
      point({
        tags: { site: 'prod', license_type: 'analyzer', env: 'test' },
        fields: [
          ['used', float(6)],
          ['allocated', float(8)],
        ],
      }),
    );

    // Assess
    expect(line).toBe(
      'qlik_sense_license,env=test,license_type=analyzer,site=prod used=6,allocated=8 1772366400000',
    );
  });

  it('types fields: floats bare, integers with i, booleans, quoted strings', () => {
    // Act
    const line = toLine(
      point({
        fields: [
          ['a', float(1)],
          ['b', float(-0.25)],
          ['c', float(1e21)],
          ['d', integer(42)],
          ['e', integer(-3)],
          ['f', bool(true)],
          ['g', bool(false)],
          ['h', text('lef')],
        ],
      }),
    );

    // Assess
    expect(line).toBe(
      'qlik_sense_license,site=prod a=1,b=-0.25,c=1e+21,d=42i,e=-3i,f=true,g=false,h="lef" 1772366400000',
    );
    expect(parseLine(line).fields).toEqual({
      a: { type: 'float', value: 1 },
      b: { type: 'float', value: -0.25 },
      c: { type: 'float', value: 1e21 },
      d: { type: 'integer', value: 42n },
      e: { type: 'integer', value: -3n },
      f: { type: 'boolean', value: true },
      g: { type: 'boolean', value: false },
      h: { type: 'string', value: 'lef' },
    });
  });

  it('escapes commas, equals signs and spaces in tag keys, tag values and field keys', () => {
    // Prepare
    const tags = { 'team name': 'BI, Stockholm=HQ', 'a=b': 'x' };

    // Act
    const line = toLine(point({ tags, fields: [['days left', float(3)]] }));

    // Assess
    expect(line).toBe(
      'qlik_sense_license,a\\=b=x,team\\ name=BI\\,\\ Stockholm\\=HQ days\\ left=3 1772366400000',
    );
    expect(parseLine(line)).toMatchObject({ tags, fields: { 'days left': { value: 3 } } });
  });

  it("keeps Butler's DIR\\user tag as Butler wrote it, and doubles a backslash only where it would pair", () => {
    // Act
    const butler = toLine(point({ tags: { user: 'INTERNAL\\sa_api' } }));
    const tricky = toLine(point({ tags: { a: 'ends\\', b: 'x\\,y', c: 'two\\\\' } }));

    // Assess
    expect(butler).toBe('qlik_sense_license,user=INTERNAL\\sa_api total=10 1772366400000');
    expect(parseLine(butler).tags).toEqual({ user: 'INTERNAL\\sa_api' });
    expect(tricky).toBe(
      'qlik_sense_license,a=ends\\\\,b=x\\\\\\,y,c=two\\\\\\\\ total=10 1772366400000',
    );
    expect(parseLine(tricky).tags).toEqual({ a: 'ends\\', b: 'x\\,y', c: 'two\\\\' });
  });

  it('quotes strings with " and \\ escaped, commas and spaces as they are', () => {
    // Prepare
    const error = 'HTTP 500 "Internal", path C:\\qlik, retry';

    // Act
    const line = toLine(point({ fields: [['error', text(error)]] }));

    // Assess
    expect(line).toBe(
      'qlik_sense_license,site=prod error="HTTP 500 \\"Internal\\", path C:\\\\qlik, retry" 1772366400000',
    );
    expect(parseLine(line).fields.error).toEqual({ type: 'string', value: error });
  });

  it('never writes a line break: text \\n in names and tags, a space in strings', () => {
    // Act
    const line = toLine(
      point({ tags: { note: 'a\nb' }, fields: [['error', text('first\r\nsecond')]] }),
    );

    // Assess
    expect(line).not.toMatch(/[\r\n]/);
    expect(parseLine(line)).toMatchObject({
      tags: { note: 'a\\nb' },
      fields: { error: { value: 'first second' } },
    });
  });

  it('leaves out empty tags and cuts long strings', () => {
    // Act
    const line = toLine(
      point({ tags: { site: 'prod', empty: '' }, fields: [['e', text('x'.repeat(5000))]] }),
    );

    // Assess
    const parsed = parseLine(line);
    expect(parsed.tags).toEqual({ site: 'prod' });
    expect((parsed.fields.e as { value: string }).value).toHaveLength(2049);
  });

  it('refuses what InfluxDB cannot store: NaN, fractional integers, no fields, a bad time', () => {
    // Act / Assess
    expect(() => toLine(point({ fields: [['x', float(Number.NaN)]] }))).toThrow(LineProtocolError);
    expect(() => toLine(point({ fields: [['x', float(Infinity)]] }))).toThrow(/finite/);
    expect(() => toLine(point({ fields: [['x', integer(1.5)]] }))).toThrow(/whole number/);
    expect(() => toLine(point({ fields: [] }))).toThrow(/at least one field/);
    expect(() => toLine(point({ time: new Date(Number.NaN) }))).toThrow(/invalid time/);
  });
});

describe('the strict test parser', () => {
  it.each([
    ['an unescaped space in a tag value', 'm,t=a b f=1 1'],
    ['an unescaped = in a tag value', 'm,t=a=b f=1 1'],
    ['an empty tag value', 'm,t= f=1 1'],
    ['an integer without i read as an unquoted string', 'm f=abc 1'],
    ['a missing timestamp', 'm f=1'],
    ['an unclosed string', 'm f="abc 1'],
    ['a duplicate field', 'm f=1,f=2 1'],
    ['NaN', 'm f=NaN 1'],
  ])('rejects %s', (_what, line) => {
    expect(() => parseLine(line)).toThrow();
  });
});
