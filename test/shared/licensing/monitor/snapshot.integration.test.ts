/** The monitor snapshot against the QRS simulator over real mTLS. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import type { Simulator } from '#test/simulator/server.ts';
import { createSampleSite, emptySite, lefText, type SimSite } from '#test/simulator/site.ts';
import { clientFor, NOW, startSite } from '#test/support/monitor.ts';

let pki: TestPki;
let sim: Simulator | undefined;
let client: QrsClient | undefined;

beforeAll(async () => {
  pki = await createTestPki();
});

afterEach(async () => {
  client?.close();
  await sim?.close();
  sim = undefined;
  client = undefined;
});

async function snapshotOf(site: SimSite) {
  sim = await startSite(site, pki);
  client = clientFor(sim);
  return collectSnapshot(client, site.name, NOW);
}

describe('collectSnapshot against the QRS simulator', () => {
  it('reports a Professional/Analyzer site with analyzer capacity and its LEF expiry', async () => {
    // Prepare: 5 professional allocations of 10; 9 analyzer of 20, two quarantined (one of a deleted user); LEF limit in 45 days.
    const site = createSampleSite(NOW);

    // Act
    const snapshot = await snapshotOf(site);

    // Assess
    expect(snapshot).toEqual({
      site: 'sample',
      collectedAt: '2026-03-01T12:00:00.000Z',
      professional: {
        enabled: true,
        total: 10,
        allocated: 5,
        used: 5,
        quarantined: 0,
        excess: 0,
        available: 5,
      },
      analyzer: {
        enabled: true,
        total: 20,
        allocated: 7,
        used: 5,
        quarantined: 2,
        excess: 0,
        available: 11,
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
        expiresAt: '2026-04-16T00:00:00.000Z',
        daysUntilExpiry: 45.5,
        licensed: { professional: 10, analyzer: 20, tokens: null },
        problem: null,
      },
    });
  });

  it('makes exactly two QRS requests per site: the overview and the license', async () => {
    // Act
    await snapshotOf(createSampleSite(NOW));

    // Assess
    expect(sim?.requestCount()).toBe(2);
    expect(sim?.requestCount('GET /qrs/license/accesstypeoverview')).toBe(1);
    expect(sim?.requestCount('GET /qrs/license')).toBe(1);
  });

  it('reports a token site: tokens in use, user and login access, the LEF token count', async () => {
    // Prepare
    const site = emptySite('tokens', NOW);
    site.tokens = {
      total: 100,
      available: 35,
      userAccess: { allocatedTokens: 60, usedTokens: 52, quarantinedTokens: 3 },
      loginAccess: { allocatedTokens: 5, usedTokens: 2.3, unavailableTokens: 0.4 },
    };
    site.license.text = lefText([
      '9999000000001292',
      'PURPOSE;2001 Sense Token Key;;',
      'TOKENS;100;;',
      'TIMELIMIT;;;2026-12-31',
      'Z8D9-SZYD-J5RR-D86G-ABCD',
    ]);

    // Act
    const snapshot = await snapshotOf(site);

    // Assess
    expect(snapshot.tokens).toEqual({
      enabled: true,
      total: 100,
      available: 35,
      userAccess: { tokenCost: 1, allocatedTokens: 60, usedTokens: 52, quarantinedTokens: 3 },
      loginAccess: { tokenCost: 0.1, allocatedTokens: 5, usedTokens: 2.3, unavailableTokens: 0.4 },
    });
    expect(snapshot.professional?.enabled).toBe(false);
    expect(snapshot.analyzer?.enabled).toBe(false);
    expect(snapshot.license).toMatchObject({
      model: 'lef',
      expiresAt: '2027-01-01T00:00:00.000Z',
      licensed: { professional: null, analyzer: null, tokens: 100 },
    });
  });

  it('reports analyzer capacity minutes of a capacity site', async () => {
    // Prepare
    const site = emptySite('capacity', NOW);
    site.analyzerCapacity = {
      allocatedMinutes: 12_000,
      usedMinutes: 4_321,
      unavailableMinutes: 18,
    };

    // Act
    const snapshot = await snapshotOf(site);

    // Assess
    expect(snapshot.analyzerCapacity).toEqual({
      enabled: true,
      allocatedMinutes: 12_000,
      usedMinutes: 4_321,
      unavailableMinutes: 18,
    });
  });

  it('reports analyzer capacity as null for an old server without analyzerTimeAccess', async () => {
    // Prepare
    const site = emptySite('old', NOW);
    site.oldServer = true;

    // Act
    const snapshot = await snapshotOf(site);

    // Assess
    expect(snapshot.analyzerCapacity).toBeNull();
    expect(snapshot.professional).toMatchObject({ enabled: true, total: 100, available: 100 });
  });

  it('reads the expiry of a signed license key from its Valid To: line', async () => {
    // Prepare
    const site = emptySite('signed', NOW);
    site.license = {
      model: 'signedKey',
      serial: '',
      text: 'Product: Qlik Sense Enterprise\r\nValid From: 2025-07-01\r\nValid To: 2026-06-30\r\n',
    };

    // Act
    const snapshot = await snapshotOf(site);

    // Assess: valid through 30 June UTC, so it expires at 1 July 00:00Z, 121.5 days from noon 1 March.
    expect(snapshot.license).toEqual({
      model: 'signedKey',
      expiresAt: '2026-07-01T00:00:00.000Z',
      daysUntilExpiry: 121.5,
      licensed: null,
      problem: null,
    });
  });

  it('reports no expiry for a LEF without a time limit', async () => {
    // Prepare
    const site = emptySite('perpetual', NOW);
    site.license.text = lefText([
      '9999000000001277',
      'PROFESSIONAL;100;;',
      'ANALYZER;100;;',
      'KZW3',
    ]);

    // Act
    const snapshot = await snapshotOf(site);

    // Assess
    expect(snapshot.license).toMatchObject({
      model: 'lef',
      expiresAt: null,
      daysUntilExpiry: null,
    });
  });

  it('fails with the QRS error when the server answers with an error', async () => {
    // Prepare
    sim = await startSite(createSampleSite(NOW), pki);
    sim.faults.push({ route: '/qrs/license', status: 500 });
    client = clientFor(sim);

    // Act / Assess
    await expect(collectSnapshot(client, 'sample', NOW)).rejects.toThrow(
      /GET \/license answered HTTP 500/,
    );
  });
});
