import { describe, expect, it } from 'vitest';
import { expiryFromDate, LicenseDateError, signedKeyValidTo } from '#shared/licensing/expiry.ts';

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

describe('signedKeyValidTo', () => {
  it('finds the Valid To: line among the key details, whatever the line breaks', () => {
    const details =
      'Product: Qlik Sense Enterprise\r\nValid From: 2025-04-01\r\nValid To: 2027-03-31\r\nSeats: 10';
    expect(signedKeyValidTo(details)).toBe('2027-03-31');
  });

  it('is null when there is no Valid To: line or it is empty', () => {
    expect(signedKeyValidTo('Product: Qlik Sense Enterprise\nValid From: 2025-04-01')).toBeNull();
    expect(signedKeyValidTo('Valid To:   ')).toBeNull();
  });
});
