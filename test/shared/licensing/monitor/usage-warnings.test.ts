import { describe, expect, it } from 'vitest';
import type { LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import { usageWarnings, validThrough } from '#shared/licensing/monitor/usage-warnings.ts';

const ALARMS = { availableBelow: { professional: 5, analyzer: 5 }, expiryWithinDays: 30 };

const HEALTHY: LicenseSnapshot = {
  site: 'prod',
  collectedAt: '2026-03-01T12:00:00.000Z',
  professional: {
    enabled: true,
    total: 50,
    allocated: 20,
    used: 18,
    quarantined: 0,
    excess: 0,
    available: 30,
  },
  analyzer: {
    enabled: true,
    total: 100,
    allocated: 40,
    used: 30,
    quarantined: 2,
    excess: 0,
    available: 58,
  },
  analyzerCapacity: null,
  tokens: null,
  license: {
    model: 'lef',
    expiresAt: '2026-12-01T00:00:00.000Z',
    daysUntilExpiry: 274.5,
    licensed: { professional: 50, analyzer: 100, tokens: null },
    problem: null,
  },
};

describe('usageWarnings', () => {
  it('raises nothing for a site with room and a distant expiry', () => {
    expect(usageWarnings(HEALTHY, ALARMS)).toEqual([]);
  });

  it('warns when available drops below the site threshold, not at it', () => {
    // Prepare
    const snapshot: LicenseSnapshot = {
      ...HEALTHY,
      professional: {
        ...(HEALTHY.professional as NonNullable<LicenseSnapshot['professional']>),
        available: 4,
      },
      analyzer: { ...(HEALTHY.analyzer as NonNullable<LicenseSnapshot['analyzer']>), available: 5 },
    };

    // Act / Assess
    expect(usageWarnings(snapshot, ALARMS)).toEqual([
      { subject: 'professional', message: 'only 4 available (warning below 5)' },
    ]);
  });

  it('warns when a new LEF grants fewer than are allocated', () => {
    // Prepare
    const snapshot: LicenseSnapshot = {
      ...HEALTHY,
      license: {
        ...(HEALTHY.license as NonNullable<LicenseSnapshot['license']>),
        licensed: { professional: 15, analyzer: 100, tokens: null },
      },
    };

    // Act / Assess
    expect(usageWarnings(snapshot, ALARMS)).toContainEqual({
      subject: 'professional',
      message: '20 allocated but the LEF licenses 15',
    });
  });

  it('warns when tokens in use exceed the tokens the LEF grants, and says what it means for releases', () => {
    // Prepare
    const snapshot: LicenseSnapshot = {
      ...HEALTHY,
      tokens: {
        enabled: true,
        total: 120,
        available: 10,
        userAccess: { tokenCost: 1, allocatedTokens: 100, usedTokens: 90, quarantinedTokens: 0 },
        loginAccess: { tokenCost: 0.1, allocatedTokens: 10, usedTokens: 4, unavailableTokens: 0 },
      },
      license: {
        ...(HEALTHY.license as NonNullable<LicenseSnapshot['license']>),
        licensed: { professional: null, analyzer: null, tokens: 100 },
      },
    };

    // Act / Assess
    expect(usageWarnings(snapshot, ALARMS)).toContainEqual({
      subject: 'tokens',
      message:
        '110 tokens allocated but the LEF licenses 100 (the token pool shrank): releasing user access passes frees no tokens until allocated tokens fall below 100, so the first 10 token(s) released do not become available',
    });
  });

  it('counts quarantined passes as held, and falls back to total minus available without the detail', () => {
    // Prepare
    const license = {
      ...(HEALTHY.license as NonNullable<LicenseSnapshot['license']>),
      licensed: { professional: null, analyzer: null, tokens: 100 },
    };
    const quarantined: LicenseSnapshot = {
      ...HEALTHY,
      license,
      tokens: {
        enabled: true,
        total: 100,
        available: 0,
        userAccess: { tokenCost: 1, allocatedTokens: 95, usedTokens: 90, quarantinedTokens: 5 },
        loginAccess: { tokenCost: 0.1, allocatedTokens: 0.5, usedTokens: 0, unavailableTokens: 0 },
      },
    };
    const noDetail: LicenseSnapshot = {
      ...HEALTHY,
      license,
      tokens: { enabled: true, total: 100, available: 0, userAccess: null, loginAccess: null },
    };

    // Act
    const tokenWarnings = (snapshot: LicenseSnapshot) =>
      usageWarnings(snapshot, ALARMS).filter((warning) => warning.subject === 'tokens');

    // Assess
    expect(tokenWarnings(quarantined)).toHaveLength(1);
    expect(tokenWarnings(quarantined)[0]?.message).toMatch(
      /^100\.5 tokens allocated but the LEF licenses 100 .*the first 0\.5 token/,
    );
    expect(tokenWarnings(noDetail)).toEqual([]);
  });

  it('warns within the expiry window with whole days rounded down, and says expired after it', () => {
    // Prepare
    const license = HEALTHY.license as NonNullable<LicenseSnapshot['license']>;
    const soon = { ...HEALTHY, license: { ...license, daysUntilExpiry: 29.9 } };
    const gone = { ...HEALTHY, license: { ...license, daysUntilExpiry: -0.1 } };

    // Act / Assess
    expect(usageWarnings(soon, ALARMS)).toEqual([
      {
        subject: 'license',
        message: 'expires in 29 day(s) (valid through 2026-11-30; warning within 30)',
      },
    ]);
    expect(usageWarnings(gone, ALARMS)).toEqual([
      { subject: 'license', message: 'expired (valid through 2026-11-30)' },
    ]);
  });

  it('ignores disabled license types', () => {
    const snapshot: LicenseSnapshot = {
      ...HEALTHY,
      professional: {
        enabled: false,
        total: 0,
        allocated: 0,
        used: 0,
        quarantined: 0,
        excess: 0,
        available: 0,
      },
    };
    expect(usageWarnings(snapshot, ALARMS)).toEqual([]);
  });
});

describe('validThrough', () => {
  it('is the day before the expiry midnight', () => {
    expect(validThrough('2027-01-01T00:00:00.000Z')).toBe('2026-12-31');
  });
});
