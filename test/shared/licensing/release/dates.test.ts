import { describe, expect, it } from 'vitest';
import { isoString, parseQrsDate } from '#shared/licensing/release/dates.ts';

describe('parseQrsDate', () => {
  it.each([
    ['2024-05-01T10:00:00.000Z', Date.UTC(2024, 4, 1, 10)],
    ['2024-05-01T10:00:00Z', Date.UTC(2024, 4, 1, 10)],
    ['2024-05-01T12:00:00+02:00', Date.UTC(2024, 4, 1, 10)],
    ['2024-05-01T10:00:00', Date.UTC(2024, 4, 1, 10)],
    ['2024-05-01', Date.UTC(2024, 4, 1)],
  ])('reads %s as a date (no offset = UTC)', (raw, ms) => {
    expect(parseQrsDate(raw)).toEqual({ kind: 'date', ms });
  });

  it.each([
    null,
    undefined,
    '',
    '1753-01-01T00:00:00.000Z',
    '1753-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '0001-01-01T00:00:00.000Z',
  ])('reads %s as no date', (raw) => {
    expect(parseQrsDate(raw)).toEqual({ kind: 'none' });
  });

  it.each(['yesterday', '31/12/2020', '2024-13-45T00:00:00Z', '2024-05-01T10:00:00.000Zjunk'])(
    'reads %s as invalid (doubt), never as a guess',
    (raw) => {
      expect(parseQrsDate(raw)).toMatchObject({ kind: 'invalid' });
    },
  );
});

describe('calendar days (leap years)', () => {
  it.each(['2024-02-29T10:00:00Z', '2000-02-29', '2023-12-31T23:59:59.999Z'])(
    'reads %s as a date',
    (raw) => {
      expect(parseQrsDate(raw)).toMatchObject({ kind: 'date' });
    },
  );

  it.each(['2023-02-29', '1900-02-29T00:00:00Z', '2024-04-31', '2024-02-30T00:00:00Z'])(
    'reads %s, a day that does not exist, as invalid',
    (raw) => {
      expect(parseQrsDate(raw)).toMatchObject({ kind: 'invalid' });
    },
  );
});

describe('isoString', () => {
  it('formats exactly as Date.prototype.toISOString', () => {
    const edges = [
      Date.UTC(1900, 0, 1),
      Date.UTC(1970, 0, 1),
      Date.UTC(1999, 11, 31, 23, 59, 59, 999),
      Date.UTC(2000, 1, 29, 12, 0, 0, 5),
      Date.UTC(2024, 1, 29),
      Date.UTC(2100, 2, 1, 0, 0, 0, 50),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(1753, 0, 1),
      -1,
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const span = Date.UTC(2200, 0, 1) - Date.UTC(1900, 0, 1);
    const sampled = Array.from({ length: 20_000 }, () =>
      Math.floor(Date.UTC(1900, 0, 1) + random() * span),
    );
    for (const ms of [...edges, ...sampled]) expect(isoString(ms)).toBe(new Date(ms).toISOString());
  });

  it('hands years outside 1000–9999 and fractions to toISOString', () => {
    for (const ms of [Date.UTC(10_000, 0, 1), Date.UTC(999, 11, 31), -62_198_755_200_000, 1.5])
      expect(isoString(ms)).toBe(new Date(ms).toISOString());
  });
});
