/** A Professional/Analyzer site's usage snapshot, as the sink tests start from it. */
import type { LicenseSnapshot } from '#shared/licensing/monitor/snapshot.ts';

export function sampleSnapshot(overrides: Partial<LicenseSnapshot> = {}): LicenseSnapshot {
  return {
    site: 'prod',
    collectedAt: '2026-03-01T12:00:00.000Z',
    professional: {
      enabled: true,
      total: 10,
      allocated: 5,
      used: 4,
      quarantined: 0,
      excess: 0,
      available: 5,
    },
    analyzer: {
      enabled: true,
      total: 20,
      allocated: 7,
      used: 6,
      quarantined: 1,
      excess: 0,
      available: 12,
    },
    analyzerCapacity: {
      enabled: true,
      allocatedMinutes: 700,
      usedMinutes: 212,
      unavailableMinutes: 0,
    },
    tokens: {
      enabled: false,
      total: 0,
      available: 0,
      userAccess: { tokenCost: 1, allocatedTokens: 0, usedTokens: 0, quarantinedTokens: 0 },
      loginAccess: { tokenCost: 0.1, allocatedTokens: 0, usedTokens: 0, unavailableTokens: 0 },
    },
    license: {
      model: 'lef',
      expiresAt: '2026-04-15T00:00:00.000Z',
      daysUntilExpiry: 44.5,
      licensed: { professional: 10, analyzer: 20, tokens: null },
      problem: null,
    },
    ...overrides,
  };
}
