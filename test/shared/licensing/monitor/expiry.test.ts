import { describe, expect, it } from 'vitest';
import { expiryFromDate, LicenseDateError } from '#shared/licensing/monitor/expiry.ts';
import { readLicenseDate } from '#shared/licensing/monitor/license-date.ts';
import { signedKeyExpiry, validToValues } from '#shared/licensing/monitor/signed-key-expiry.ts';

describe('expiryFromDate', () => {
  it('treats date D as valid through the end of D UTC: expiresAt is D+1 at 00:00Z', () => {
    // Prepare
    const now = new Date('2026-03-30T00:00:00.000Z');

    // Act
    const expiry = expiryFromDate('2026-03-31', now, 'test');

    // Assess
    expect(expiry.expiresAt).toBe('2026-04-01T00:00:00.000Z');
    expect(expiry.daysUntilExpiry).toBe(2);
  });

  it('gives fractional days, not rounded to a day boundary', () => {
    const expiry = expiryFromDate('2026-03-31', new Date('2026-03-31T18:00:00.000Z'), 'test');
    expect(expiry.daysUntilExpiry).toBe(0.25);
  });

  it('gives negative days once the license has expired', () => {
    const expiry = expiryFromDate('2026-03-31', new Date('2026-04-03T00:00:00.000Z'), 'test');
    expect(expiry.daysUntilExpiry).toBe(-2);
  });

  it('rolls over month and year ends', () => {
    expect(expiryFromDate('2026-12-31', new Date(0), 'x').expiresAt).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(expiryFromDate('2028-02-28', new Date(0), 'x').expiresAt).toBe(
      '2028-02-29T00:00:00.000Z',
    );
  });

  it('rejects text that is not a date, and impossible dates, naming where it came from', () => {
    expect(() => expiryFromDate('soon', new Date(0), 'the LEF TIMELIMIT line')).toThrow(
      /"soon" in the LEF TIMELIMIT line/,
    );
    expect(() => expiryFromDate('2026-02-31', new Date(0), 'x')).toThrow(LicenseDateError);
  });
});

describe('readLicenseDate', () => {
  it.each([
    ['2026-12-31', 2026, 12, 31],
    ['2026/12/31', 2026, 12, 31],
    ['2026-12-31T00:00:00', 2026, 12, 31],
    ['2026-12-31T23:59:59.000Z', 2026, 12, 31],
    ['2026-12-31 00:00:00', 2026, 12, 31],
    ['12/31/2026', 2026, 12, 31],
    ['31/12/2026', 2026, 12, 31],
    ['12/31/2026 12:00:00 AM', 2026, 12, 31],
    ['31.12.2026', 2026, 12, 31],
    ['01.02.2026', 2026, 2, 1],
    ['05/05/2026', 2026, 5, 5],
    ['31 Dec 2026', 2026, 12, 31],
    ['December 31, 2026', 2026, 12, 31],
    ['"2026-12-31"', 2026, 12, 31],
  ])('reads %s', (text, year, month, day) => {
    expect(readLicenseDate(text)).toEqual({ kind: 'day', day: { year, month, day } });
  });

  it.each(['Never', 'unlimited', '9999-12-31', '12/31/9999'])('reads %s as no limit', (text) => {
    expect(readLicenseDate(text)).toEqual({ kind: 'noLimit' });
  });

  it.each([
    ['', /empty/],
    ['soon', /not a date format/],
    ['02/03/2026', /could be month\/day or day\/month/],
    ['2026-02-31', /no such day/],
    ['0001-01-01T00:00:00Z', /placeholder/],
    ['1753-01-01', /placeholder/],
    ['31 Foo 2026', /not a month/],
  ])('refuses %s, saying why', (text, reason) => {
    const reading = readLicenseDate(text);
    expect(reading.kind).toBe('unreadable');
    expect(reading.kind === 'unreadable' ? reading.reason : '').toMatch(reason);
  });
});

describe('signed key expiry from keyDetails', () => {
  const NOW = new Date('2026-03-01T00:00:00.000Z');

  it('finds the Valid To: line among the key details, whatever the line breaks', () => {
    const details =
      'Product: Qlik Sense Enterprise\r\nValid From: 2025-04-01\r\nValid To: 2027-03-31\r\nSeats: 10';
    expect(signedKeyExpiry(details, NOW)).toMatchObject({
      expiresAt: '2027-04-01T00:00:00.000Z',
      problem: null,
    });
  });

  it('finds Valid To anywhere: mid-line, other spacing and case, = or :, JSON-style', () => {
    expect(validToValues('License valid from 2025-01-01; VALID TO = 12/31/2026')).toEqual([
      '12/31/2026',
    ]);
    expect(validToValues('{"product":"QSE","validTo":"2026-12-31T00:00:00"}')).toEqual([
      '2026-12-31T00:00:00',
    ]);
    expect(validToValues('  validto:2026-06-30')).toEqual(['2026-06-30']);
  });

  it('takes the earliest of several blocks (the first thing to run out)', () => {
    const details = [
      'Product: Professional',
      'Valid To: 2027-12-31',
      '',
      'Product: Analyzer',
      'Valid To: 2026-06-30',
      '',
      'Product: Analyzer Capacity',
      'Valid To: Never',
    ].join('\n');
    expect(signedKeyExpiry(details, NOW)).toMatchObject({
      expiresAt: '2026-07-01T00:00:00.000Z',
      problem: null,
    });
  });

  it('has no limit only when every Valid To says so', () => {
    expect(signedKeyExpiry('Valid To: Unlimited', NOW)).toEqual({
      expiresAt: null,
      daysUntilExpiry: null,
      problem: null,
    });
  });

  it.each([
    [
      'no Valid To at all',
      'Product: Qlik Sense Enterprise\nValid From: 2025-04-01',
      /no "Valid To"/,
    ],
    ['an empty Valid To', 'Valid To:   ', /"" cannot be read \(the value is empty\)/],
    ['an unreadable Valid To', 'Valid To: some day', /"some day" cannot be read/],
    ['one unreadable of two', 'Valid To: 2027-01-01\nValid To: 02/03/2027', /month\/day/],
    ['no key details', '', /no key details/],
  ])('with %s: expiry unknown and a problem sentence, never "no limit"', (_, details, why) => {
    const expiry = signedKeyExpiry(details, NOW);
    expect(expiry.expiresAt).toBeNull();
    expect(expiry.daysUntilExpiry).toBeNull();
    expect(expiry.problem).toMatch(/^License expiry unknown: /);
    expect(expiry.problem).toMatch(why);
  });
});
