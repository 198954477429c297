import { describe, expect, it } from 'vitest';
import { parseQrsDate } from '#shared/licensing/release/dates.ts';

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
