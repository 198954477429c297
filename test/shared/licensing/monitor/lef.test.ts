import { describe, expect, it } from 'vitest';
import { lefLicensedCounts, lefTimeLimit, parseLef } from '#shared/licensing/monitor/lef.ts';

/** A P/A LEF in the layout of Qlik's published example, CRLF as QRS returns it. */
const PA_LEF = [
  '9999000000001277',
  'PURPOSE;2001 Sense P/A Key;;',
  'PRODUCTLEVEL;50;;2020-01-31',
  'TIMELIMIT;;;2020-01-31',
  'OVERAGE;NO;;',
  'PROFESSIONAL;100;;',
  'ANALYZER;100;;',
  'GEOCODING;1000000;2018-12-31;2020-01-31',
  'IGNORE_TOKENS;YES;;',
  'TOKENS;200;;',
  'KZW3-CQ8K-9E5U-L894-WXYZ',
].join('\r\n');

const TOKEN_LEF = [
  '9999000000001292',
  'PURPOSE;2001 Sense Token Key;;',
  'PRODUCTLEVEL;50;;2020-01-31',
  'TOKENS;100;;',
  'OVERAGE;NO;;',
  'TIMELIMIT;;;2020-01-31',
  'Z8D9-SZYD-J5RR-D86G-ABCD',
].join('\r\n');

describe('parseLef', () => {
  it('reads ATTRIBUTE;value;validFrom;validTo lines and skips the serial and checksum lines', () => {
    // Act
    const attributes = parseLef(PA_LEF);

    // Assess
    expect(attributes.get('GEOCODING')).toEqual({
      value: '1000000',
      validFrom: '2018-12-31',
      validTo: '2020-01-31',
    });
    expect(attributes.has('9999000000001277')).toBe(false);
    expect(attributes.has('KZW3-CQ8K-9E5U-L894-WXYZ')).toBe(false);
    expect([...attributes.values()].some((a) => a.validTo.endsWith('\r'))).toBe(false);
  });
});

describe('lefTimeLimit', () => {
  it('takes the TIMELIMIT date from the validTo field', () => {
    expect(lefTimeLimit(parseLef(PA_LEF))).toBe('2020-01-31');
  });

  it('is null for a LEF without a TIMELIMIT line or with an empty one', () => {
    expect(lefTimeLimit(parseLef('123\r\nPROFESSIONAL;5;;\r\nX'))).toBeNull();
    expect(lefTimeLimit(parseLef('123\r\nTIMELIMIT;;;\r\nX'))).toBeNull();
  });
});

describe('lefLicensedCounts', () => {
  it('reads PROFESSIONAL and ANALYZER and ignores TOKENS when IGNORE_TOKENS is YES', () => {
    expect(lefLicensedCounts(parseLef(PA_LEF))).toEqual({
      professional: 100,
      analyzer: 100,
      tokens: null,
    });
  });

  it('reads TOKENS from a token LEF and leaves the absent counts null', () => {
    expect(lefLicensedCounts(parseLef(TOKEN_LEF))).toEqual({
      professional: null,
      analyzer: null,
      tokens: 100,
    });
  });
});
