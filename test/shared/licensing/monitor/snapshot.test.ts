import { describe, expect, it, vi } from 'vitest';
import { collectSnapshot, type SnapshotSource } from '#shared/licensing/monitor/snapshot.ts';
import type { AccessTypeOverview, License } from '#shared/qrs/schemas.ts';
import { NOW } from '#test/support/monitor.ts';

/** A P/A + analyzer capacity overview as a real site answers it. */
const BUTLER_OVERVIEW: AccessTypeOverview = {
  totalTokens: 0,
  availableTokens: 0,
  tokensEnabled: false,
  userAccess: {
    enabled: false,
    tokenCost: 1,
    allocatedTokens: 0,
    usedTokens: 0,
    quarantinedTokens: 0,
  },
  loginAccess: {
    enabled: false,
    tokenCost: 0.1,
    allocatedTokens: 0,
    usedTokens: 0,
    unavailableTokens: 0,
  },
  professionalAccess: {
    enabled: true,
    total: 25,
    allocated: 5,
    used: 0,
    quarantined: 0,
    excess: 0,
    available: 20,
  },
  analyzerAccess: {
    enabled: true,
    total: 25,
    allocated: 4,
    used: 0,
    quarantined: 0,
    excess: 0,
    available: 21,
  },
  analyzerTimeAccess: {
    enabled: true,
    allocatedMinutes: 700,
    usedMinutes: 0,
    unavailableMinutes: 0,
  },
};

const LEF_LICENSE: License = {
  serial: '9999000000001277',
  lef: '9999000000001277\r\nTIMELIMIT;;;2026-03-31\r\nPROFESSIONAL;25;;\r\nANALYZER;25;;\r\nKZW3',
  key: '',
  keyDetails: '',
};

function source(overview: AccessTypeOverview, license: License): SnapshotSource {
  return {
    getAccessTypeOverview: vi.fn(async () => overview),
    getLicense: vi.fn(async () => license),
  };
}

describe('collectSnapshot', () => {
  it('maps the overview and the license to the documented monitor shape, keys in order', async () => {
    // Act
    const snapshot = await collectSnapshot(source(BUTLER_OVERVIEW, LEF_LICENSE), 'prod', NOW);

    // Assess
    expect(Object.keys(snapshot)).toEqual([
      'site',
      'collectedAt',
      'professional',
      'analyzer',
      'analyzerCapacity',
      'tokens',
      'license',
    ]);
    expect(snapshot.site).toBe('prod');
    expect(snapshot.collectedAt).toBe(NOW.toISOString());
    expect(snapshot.professional).toEqual({
      enabled: true,
      total: 25,
      allocated: 5,
      used: 0,
      quarantined: 0,
      excess: 0,
      available: 20,
    });
    expect(snapshot.analyzer?.available).toBe(21);
    expect(snapshot.analyzerCapacity).toEqual({
      enabled: true,
      allocatedMinutes: 700,
      usedMinutes: 0,
      unavailableMinutes: 0,
    });
    expect(snapshot.tokens).toEqual({
      enabled: false,
      total: 0,
      available: 0,
      userAccess: { tokenCost: 1, allocatedTokens: 0, usedTokens: 0, quarantinedTokens: 0 },
      loginAccess: { tokenCost: 0.1, allocatedTokens: 0, usedTokens: 0, unavailableTokens: 0 },
    });
    expect(snapshot.license).toEqual({
      model: 'lef',
      expiresAt: '2026-04-01T00:00:00.000Z',
      daysUntilExpiry: 30.5,
      licensed: { professional: 25, analyzer: 25, tokens: null },
      problem: null,
    });
  });

  it('reports blocks an older server does not send as null, not as zeros', async () => {
    // Prepare
    const overview: AccessTypeOverview = {
      professionalAccess: { enabled: true, total: 10, allocated: 3 },
    };

    // Act
    const snapshot = await collectSnapshot(source(overview, LEF_LICENSE), 'old', NOW);

    // Assess
    expect(snapshot.analyzer).toBeNull();
    expect(snapshot.analyzerCapacity).toBeNull();
    expect(snapshot.tokens).toBeNull();
    expect(snapshot.professional).toEqual({
      enabled: true,
      total: 10,
      allocated: 3,
      used: null,
      quarantined: null,
      excess: null,
      available: null,
    });
  });

  it('keeps the token detail QRS sends: a missing block is null, a missing value null', async () => {
    // Prepare: tokens in use; no loginAccess block, userAccess without quarantinedTokens.
    const overview: AccessTypeOverview = {
      totalTokens: 100,
      availableTokens: 35,
      tokensEnabled: true,
      userAccess: { enabled: true, tokenCost: 1, allocatedTokens: 60, usedTokens: 52 },
    };

    // Act
    const snapshot = await collectSnapshot(source(overview, LEF_LICENSE), 'tokens', NOW);

    // Assess
    expect(snapshot.tokens).toEqual({
      enabled: true,
      total: 100,
      available: 35,
      userAccess: { tokenCost: 1, allocatedTokens: 60, usedTokens: 52, quarantinedTokens: null },
      loginAccess: null,
    });
  });

  it('reports the license as null when the server has neither a LEF nor a signed key', async () => {
    const snapshot = await collectSnapshot(
      source(BUTLER_OVERVIEW, { serial: '', lef: '', key: '', keyDetails: '' }),
      'x',
      NOW,
    );
    expect(snapshot.license).toBeNull();
  });

  it('keeps collecting when a license date cannot be read: expiry unknown, a warning raised', async () => {
    // Prepare
    const warnings: string[] = [];
    const license: License = { lef: '', key: 'eyJ...', keyDetails: 'Valid To: some day' };

    // Act
    const snapshot = await collectSnapshot(source(BUTLER_OVERVIEW, license), 'x', NOW, (w) =>
      warnings.push(w.message),
    );

    // Assess
    expect(snapshot.license).toEqual({
      model: 'signedKey',
      expiresAt: null,
      daysUntilExpiry: null,
      licensed: null,
      problem: expect.stringMatching(/^License expiry unknown: .*"some day" cannot be read/),
    });
    expect(warnings).toEqual([snapshot.license?.problem]);
  });

  it.each([
    [
      'isExpired with its reason',
      { isExpired: true, expiredReason: 'Time limit passed' },
      /^QRS reports the license as expired \(Time limit passed\)\.$/,
    ],
    ['isInvalid', { isInvalid: true }, /^QRS reports the license as invalid\.$/],
  ])(
    'reports QRS’s %s as license.problem (the alarm input), keeping the dates it read',
    async (_, status, sentence) => {
      // Prepare
      const warnings: string[] = [];
      const license: License = {
        lef: 'PRODUCTLEVEL;50;;2031-01-31\r\nTIMELIMIT;;;2031-01-31',
        expiredReason: '',
        ...status,
      };

      // Act
      const snapshot = await collectSnapshot(source(BUTLER_OVERVIEW, license), 'x', NOW, (w) =>
        warnings.push(w.message),
      );

      // Assess
      expect(snapshot.license?.problem).toMatch(sentence);
      expect(snapshot.license?.expiresAt).toBe('2031-02-01T00:00:00.000Z');
      expect(warnings).toEqual([snapshot.license?.problem]);
    },
  );

  it('a license QRS reports valid has no problem', async () => {
    const license: License = {
      lef: 'TIMELIMIT;;;2031-01-31',
      isExpired: false,
      isInvalid: false,
      expiredReason: '',
    };

    const snapshot = await collectSnapshot(source(BUTLER_OVERVIEW, license), 'x', NOW);

    expect(snapshot.license?.problem).toBeNull();
  });

  it('fails when either QRS call fails (no half snapshot)', async () => {
    // Prepare
    const failing: SnapshotSource = {
      getAccessTypeOverview: async () => BUTLER_OVERVIEW,
      getLicense: async () => {
        throw new Error('QRS GET /license answered HTTP 500');
      },
    };

    // Act / Assess
    await expect(collectSnapshot(failing, 'x', NOW)).rejects.toThrow(/HTTP 500/);
  });
});
