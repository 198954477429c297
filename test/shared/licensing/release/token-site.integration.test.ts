/**
 * Token sites against the QRS simulator over real mutual TLS: user access passes are released
 * under the same rules as Professional/Analyzer allocations, a recently used pass goes into
 * quarantine on DELETE, and the monitor warns when the LEF's token pool has shrunk.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectSnapshot } from '#shared/licensing/monitor/snapshot.ts';
import { usageWarnings } from '#shared/licensing/monitor/usage-warnings.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { addAllocation, addUser, NO_DATE, type SimSite } from '#test/simulator/site.ts';
import { generateTokenSite } from '#test/simulator/token-site.ts';
import { memoryLogger, releaseConfig } from '#test/support/release.ts';
import { DAY_MS } from '#test/support/time.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const LIST_PASSES = 'GET /qrs/license/useraccesstype/full';
const DELETE_PASS = 'DELETE /qrs/license/useraccesstype/{id}';

let pki: TestPki;
const opened: Array<{ sim: Simulator; qrs: QrsClient }> = [];

beforeAll(async () => {
  pki = await createTestPki();
});
afterEach(async () => {
  for (const { sim, qrs } of opened.splice(0)) {
    qrs.close();
    await sim.close();
  }
});

async function open(site: SimSite) {
  const sim = await startSimulator({ site, pki, now: () => NOW });
  const qrs = new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: sim.pki.client.cert, key: sim.pki.client.key, ca: sim.pki.ca },
    sleep: async () => {},
  });
  opened.push({ sim, qrs });
  return { sim, qrs };
}

const userIds = (items: ReadonlyArray<{ userId: string | null }>) =>
  items.map((item) => item.userId);
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS).toISOString();

/** A token site with one pass each: idle, never used, recently used, protected, quarantined. */
function tokenSite(): SimSite {
  const site = generateTokenSite({ passes: 0, lefTokens: 20, loginAccessTokens: 2, now: NOW });
  const pass = (userId: string, lastUsed: string, extra: Record<string, unknown> = {}) => {
    const user = addUser(site, { userId, userDirectory: 'LAB', ...extra });
    return addAllocation(site, {
      licenseType: 'userAccess',
      userRef: user.id,
      createdDate: daysAgo(400),
      lastUsed,
    });
  };
  pass('idle', daysAgo(90));
  pass('never', NO_DATE);
  pass('recent', daysAgo(3));
  pass('tagged', daysAgo(200), { tags: ['License do not release'] });
  const held = pass('held', daysAgo(4));
  held.quarantined = true;
  held.quarantineEnd = daysAgo(-3);
  return site;
}

const RULES = {
  neverRelease: { tag: ['License do not release'] },
  licenseType: {
    professional: { enable: false },
    analyzer: { enable: false },
    userAccess: { enable: true, releaseThresholdDays: 30 },
  },
};

function release(qrs: QrsClient, block: Record<string, unknown>, dryRun = false) {
  return runSiteRelease({
    site: 'tokens',
    release: releaseConfig(block),
    dryRun,
    runId: 'run-t',
    qrs,
    logger: memoryLogger(),
    now: () => NOW,
  });
}

describe('release of user access passes on a token site', () => {
  it('releases inactive passes and keeps the recently used, protected and quarantined ones', async () => {
    // Prepare
    const site = tokenSite();
    const { sim, qrs } = await open(site);

    // Act
    const result = await release(qrs, RULES);

    // Assess
    expect(result.released.map((item) => item.userId).sort()).toEqual(['idle', 'never']);
    expect(result.released.every((item) => item.licenseType === 'userAccess')).toBe(true);
    expect(result.failed).toEqual([]);
    expect(sim.requestCount(DELETE_PASS)).toBe(2);
    const reasons = Object.fromEntries(result.kept.map((item) => [item.userId, item.reason]));
    expect(reasons).toEqual({ tagged: 'protected:tag' });
    // The server-side filter leaves the recently used passes out (quarantined 'held' included).
    expect(result.candidates.map((item) => item.userId)).not.toContain('recent');
    const left = [...site.allocations.values()].map((a) => site.users.get(a.userRef ?? '')?.userId);
    expect(left.sort()).toEqual(['held', 'recent', 'tagged']);
    expect(sim.filters.get(LIST_PASSES)?.[0]).toMatch(/^lastUsed le '/);
  });

  it('a pass used within 7 days goes into quarantine on DELETE, and the next run keeps it', async () => {
    // Prepare: a 2-day threshold makes the pass used 3 days ago a candidate.
    const site = tokenSite();
    const { sim, qrs } = await open(site);
    const rules = {
      ...RULES,
      licenseType: { ...RULES.licenseType, userAccess: { enable: true, releaseThresholdDays: 2 } },
    };

    // Act
    const first = await release(qrs, rules);
    const overview = await qrs.getAccessTypeOverview();
    const second = await release(qrs, rules);

    // Assess
    expect(first.released.map((item) => item.userId).sort()).toEqual(['idle', 'never', 'recent']);
    const recent = [...site.allocations.values()].find(
      (a) => site.users.get(a.userRef ?? '')?.userId === 'recent',
    );
    expect(recent).toMatchObject({ quarantined: true });
    expect(overview.userAccess).toMatchObject({ allocatedTokens: 1, quarantinedTokens: 2 });
    expect(second.released).toEqual([]);
    expect(second.kept.find((item) => item.userId === 'recent')?.reason).toBe('quarantined');
    expect(sim.requestCount(DELETE_PASS)).toBe(3);
  });

  it('leaves passes alone unless licenseType.userAccess is enabled (a carried-over Butler config)', async () => {
    // Prepare
    const { sim, qrs } = await open(tokenSite());

    // Act
    const result = await release(qrs, { neverRelease: RULES.neverRelease });

    // Assess
    expect(result.candidates).toEqual([]);
    expect(sim.requestCount(LIST_PASSES)).toBe(0);
    expect(sim.requestCount(DELETE_PASS)).toBe(0);
  });

  it('shares maxReleasesPerRun across types on a generated token site, longest-inactive first', async () => {
    // Prepare
    const site = generateTokenSite({ passes: 300, now: NOW, seed: 5 });
    const { sim, qrs } = await open(site);

    // Act
    const result = await release(qrs, { ...RULES, maxReleasesPerRun: 25 }, true);

    // Assess
    expect(result.candidates).toHaveLength(25);
    const days = result.candidates.map((item) => item.inactiveDays ?? 0);
    expect(days).toEqual([...days].sort((a, b) => b - a));
    expect(result.kept.filter((item) => item.reason === 'cap').length).toBeGreaterThan(0);
    expect(sim.requestCount(DELETE_PASS)).toBe(0);
  });
});

describe('a reviewed plan on a token site', () => {
  it('applies only the planned passes, under the cap of today', async () => {
    // Prepare: plan under a cap of 50, apply under a cap of 1.
    const site = tokenSite();
    const { sim, qrs } = await open(site);
    const reviewed = await release(qrs, RULES, true);
    const plan = {
      site: 'tokens',
      evaluatedAt: new Date(reviewed.evaluatedAt),
      candidates: reviewed.candidates,
      rules: reviewed.rules as unknown as Record<string, unknown>,
    };

    // Act
    const applied = await runSiteRelease({
      site: 'tokens',
      release: releaseConfig({ ...RULES, maxReleasesPerRun: 1 }),
      dryRun: false,
      runId: 'run-apply',
      qrs,
      logger: memoryLogger(),
      now: () => NOW,
      plan,
    });

    // Assess: 'never' (allocated 400 days ago) is the longer inactive of the two.
    expect(userIds(reviewed.candidates)).toEqual(['never', 'idle']);
    expect(userIds(applied.released)).toEqual(['never']);
    expect(applied.kept).toEqual([expect.objectContaining({ userId: 'idle', reason: 'cap' })]);
    expect(applied.plan?.ruleDifferences).toEqual(['maxReleasesPerRun: 50 in the plan, 1 now']);
    expect(sim.requestCount(DELETE_PASS)).toBe(1);
  });
});

describe('the shrunk token pool', () => {
  it('warns when the passes hold more tokens than the LEF grants, and what that means for releases', async () => {
    // Prepare: 30 passes and 2 login access tokens, under a LEF cut to 25 tokens.
    const site = generateTokenSite({ passes: 30, lefTokens: 25, loginAccessTokens: 2, now: NOW });
    for (const pass of site.allocations.values()) pass.quarantined = false;
    const { qrs } = await open(site);

    // Act
    const snapshot = await collectSnapshot(qrs, 'tokens', NOW);
    const warnings = usageWarnings(snapshot, {
      availableBelow: { professional: 0, analyzer: 0 },
      expiryWithinDays: 30,
    });

    // Assess
    expect(snapshot.tokens).toMatchObject({ total: 25, available: 0 });
    expect(warnings).toContainEqual({
      subject: 'tokens',
      message:
        '32 tokens allocated but the LEF licenses 25 (the token pool shrank): releasing user access passes frees no tokens until allocated tokens fall below 25, so the first 7 token(s) released do not become available',
    });
  });

  it('says nothing while the pool covers the allocated tokens', async () => {
    const site = generateTokenSite({ passes: 30, now: NOW });
    const { qrs } = await open(site);
    const snapshot = await collectSnapshot(qrs, 'tokens', NOW);
    expect(
      usageWarnings(snapshot, {
        availableBelow: { professional: 0, analyzer: 0 },
        expiryWithinDays: 30,
      }).filter((warning) => warning.subject === 'tokens'),
    ).toEqual([]);
  });
});
