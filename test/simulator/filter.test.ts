import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, idsOnlyFilter, parseFilter } from '#test/simulator/filter.ts';

const anna = {
  id: '3797cd0e-a0fe-4bc1-8409-94f3a7af7a63',
  userId: 'anna',
  userDirectory: 'LAB',
  name: "Anna O'Hara",
  inactive: false,
  createdDate: '2022-05-01T10:00:00.000Z',
  lastUsed: '2026-10-01T08:00:00.000Z',
  tags: [{ name: 'Finance' }, { name: 'License do not release' }],
  customProperties: [{ value: 'do-not-release', definition: { name: 'LicenseManage' } }],
  user: { userDirectory: 'LAB', userId: 'anna' },
};

describe('QRS filter language (simulator)', () => {
  it.each([
    ["userId eq 'anna'", true],
    ["userId eq 'ANNA'", true],
    ["userId ne 'anna'", false],
    ["userDirectory sw 'la'", true],
    ["userId ew 'NA'", true],
    ["name so 'o''hara'", true],
    ["name eq 'Anna O''Hara'", true],
    ['id eq 3797cd0e-a0fe-4bc1-8409-94f3a7af7a63', true],
    ['id eq 3797CD0E-A0FE-4BC1-8409-94F3A7AF7A63', true],
    ['id eq 00000000-0000-4000-8000-000000000000', false],
    ["lastUsed lt '2026-11-01T00:00:00.000Z'", true],
    ["lastUsed gt '2026-11-01T00:00:00.000Z'", false],
    ["lastUsed ge '2026-10-01T08:00:00.000Z'", true],
    ["lastUsed le '2026-10-01T07:59:59.999Z'", false],
    ["createdDate lt '2023-01-01'", true],
    ['inactive eq false', true],
    ['inactive eq true', false],
    ["tags.name eq 'license do not release'", true],
    ["tags.name eq 'Marketing'", false],
    [
      "customProperties.definition.name eq 'LicenseManage' and customProperties.value eq 'do-not-release'",
      true,
    ],
    ["user.userDirectory eq 'lab'", true],
    ["userId eq 'bertil' or userId eq 'anna'", true],
    ["userId eq 'anna' and userDirectory eq 'CORP'", false],
    ["(userId eq 'x' or userId eq 'anna') and (userDirectory eq 'LAB')", true],
    ["userId eq 'x' or userId eq 'anna' and userDirectory eq 'CORP'", false],
    ["missing eq 'x'", false],
    ['missing eq null', true],
    ["UserID eq 'anna'", true],
  ])('%s → %s', (filter, expected) => {
    expect(parseFilter(filter)(anna)).toBe(expected);
  });

  it.each([
    ["userId eq 'anna"],
    ["userId xx 'anna'"],
    ["(userId eq 'anna'"],
    ["userId eq 'anna' extra"],
    ['userId eq'],
  ])('rejects bad syntax: %s', (filter) => {
    expect(() => parseFilter(filter)).toThrow(FilterSyntaxError);
  });
});

describe('idsOnlyFilter (the key-lookup path for user batches)', () => {
  it('returns the lower-cased GUIDs of an `id eq … or id eq …` filter', () => {
    const filter =
      'id eq 3797CD0E-A0FE-4BC1-8409-94F3A7AF7A63 OR id eq 00000000-0000-4000-8000-000000000000';
    expect(idsOnlyFilter(filter)).toEqual(
      new Set(['3797cd0e-a0fe-4bc1-8409-94f3a7af7a63', '00000000-0000-4000-8000-000000000000']),
    );
  });

  it.each([
    ["userId eq 'anna'"],
    ['id eq 3797cd0e-a0fe-4bc1-8409-94f3a7af7a63 and inactive eq false'],
    ['(id eq 3797cd0e-a0fe-4bc1-8409-94f3a7af7a63)'],
    ['id ne 3797cd0e-a0fe-4bc1-8409-94f3a7af7a63'],
    ['id eq not-a-guid'],
  ])('leaves any other filter to the full evaluator: %s', (filter) => {
    expect(idsOnlyFilter(filter)).toBeUndefined();
  });
});
