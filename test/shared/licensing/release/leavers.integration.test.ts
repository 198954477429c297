/**
 * Leavers (docs/release.md, "Leavers") against the QRS simulator over real mutual TLS: a user
 * whose account is removed externally, blocked or inactive is released after
 * `leavers.<flag>.releaseAfterDays`, with the protection rules, the cap and dry run as for any
 * release, and the flag named as the reason.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { confirmCandidates } from '#shared/licensing/release/confirm.ts';
import { candidateKey } from '#shared/licensing/release/fetch.ts';
import { releasePolicy } from '#shared/licensing/release/planner.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { releaseCounts } from '#shared/sinks/cloudwatch/release.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import {
  addAllocation,
  addUser,
  emptySite,
  type SimSite,
  type SimUser,
} from '#test/simulator/site.ts';
import { memoryLogger, releaseConfig } from '#test/support/release.ts';
import { formatReleaseReport } from '../../../../functions/cli/commands/release-table.ts';

const DAY_MS = 86_400_000;
const NOW = new Date();
const DELETES = 'DELETE /qrs/license/professionalaccesstype/{id}';

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
  const sim = await startSimulator({ site, pki });
  const qrs = new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: sim.pki.client.cert, key: sim.pki.client.key, ca: sim.pki.ca },
    sleep: async () => {},
  });
  opened.push({ sim, qrs });
  return { sim, qrs };
}

const lastUsedDaysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS).toISOString();

/** A user with a Professional allocation last used `days` ago. */
function holder(site: SimSite, userId: string, days: number, flags: Partial<SimUser> = {}) {
  const user = addUser(site, { userId, userDirectory: 'CORP', ...flags });
  addAllocation(site, {
    licenseType: 'professional',
    userRef: user.id,
    lastUsed: lastUsedDaysAgo(days),
  });
  return user;
}

async function release(qrs: QrsClient, block: Record<string, unknown>, dryRun = false) {
  const logger = memoryLogger();
  const result = await runSiteRelease({
    site: 'leavers',
    release: releaseConfig({
      licenseType: { professional: { releaseThresholdDays: 90 }, analyzer: { enable: false } },
      ...block,
    }),
    dryRun,
    runId: 'run-leavers',
    qrs,
    logger,
    now: () => NOW,
  });
  return { result, logger };
}

const byUser = (items: ReadonlyArray<{ userId: string | null }>) =>
  items.map((item) => item.userId);

describe.each([
  ['removedExternally', { removedExternally: true }],
  ['blocked', { blacklisted: true }],
  ['inactive', { inactive: true }],
] as const)('leavers.%s', (flag, flags) => {
  it('at 0 days: released on the next run whatever the last use, with the flag as reason', async () => {
    const site = emptySite('leavers', NOW);
    holder(site, 'leaver', 0.01, flags);
    holder(site, 'colleague', 0.01);
    const { sim, qrs } = await open(site);

    const { result, logger } = await release(qrs, { leavers: { [flag]: { releaseAfterDays: 0 } } });

    expect(byUser(result.released)).toEqual(['leaver']);
    expect(result.released[0]?.releaseReason).toBe(`leaver:${flag}`);
    expect(sim.requestCount(DELETES)).toBe(1);
    const colleague = result.kept.find((item) => item.userId === 'colleague');
    expect(colleague?.reason).toBe('active');
    const audit = logger.lines.find((line) => line.extra.outcome === 'released');
    expect(audit?.extra).toMatchObject({ userId: 'leaver', reason: `leaver:${flag}` });
    const counts = releaseCounts(result, ['professional']).get('professional');
    expect(counts?.ReleasedLeavers).toBe(1);
  });

  it('at N days: a leaver inactive fewer days is kept, one inactive N days is released', async () => {
    const site = emptySite('leavers', NOW);
    holder(site, 'recent-leaver', 6, flags);
    holder(site, 'old-leaver', 8, flags);
    holder(site, 'stayer', 8);
    const { sim, qrs } = await open(site);

    const { result } = await release(qrs, { leavers: { [flag]: { releaseAfterDays: 7 } } });

    expect(byUser(result.released)).toEqual(['old-leaver']);
    expect(sim.requestCount(DELETES)).toBe(1);
    const kept = Object.fromEntries(result.kept.map((item) => [item.userId, item.reason]));
    // The recent leaver is not even listed: the server-side filter stops at 7 days.
    expect(kept).toEqual({ stayer: 'active' });
    // The server-side filter was widened to the leavers' 7 days, not the type's 90.
    const filter = sim.filters.get('GET /qrs/license/professionalaccesstype/full')?.[0] ?? '';
    const cutoff = Date.parse(/'(.+)'/.exec(filter)?.[1] ?? '');
    expect(Math.abs(NOW.getTime() - 7 * DAY_MS - cutoff)).toBeLessThan(1_000);
  });
});

describe('leavers with the other rules', () => {
  it('the bulk user read brings the leaver flags too', () => {
    const policy = releasePolicy(
      releaseConfig({
        neverRelease: { inactive: 'Yes' },
        leavers: { blocked: { releaseAfterDays: 0 }, inactive: { releaseAfterDays: 3 } },
      }),
    );

    expect([...policy.rules.userColumns.flags].sort()).toEqual(['blacklisted', 'inactive']);
    expect(policy.leavers.floorDays).toBe(0);
  });

  it('a protection rule wins over a leaver flag', async () => {
    const site = emptySite('leavers', NOW);
    holder(site, 'protected-leaver', 3, { removedExternally: true, tags: ['VIP'] });
    holder(site, 'leaver', 3, { removedExternally: true });
    const { qrs } = await open(site);

    const { result } = await release(qrs, {
      neverRelease: { tag: ['vip'] },
      leavers: { removedExternally: { releaseAfterDays: 0 } },
    });

    expect(byUser(result.released)).toEqual(['leaver']);
    expect(result.kept).toMatchObject([{ userId: 'protected-leaver', reason: 'protected:tag' }]);
  });

  it('the cap counts leavers with everyone else, longest-inactive first', async () => {
    const site = emptySite('leavers', NOW);
    holder(site, 'long-gone', 200);
    holder(site, 'leaver-20', 20, { blacklisted: true });
    holder(site, 'leaver-10', 10, { blacklisted: true });
    const { sim, qrs } = await open(site);

    const { result } = await release(qrs, {
      maxReleasesPerRun: 2,
      leavers: { blocked: { releaseAfterDays: 0 } },
    });

    expect(byUser(result.released)).toEqual(['long-gone', 'leaver-20']);
    expect(result.released.map((item) => item.releaseReason)).toEqual([
      undefined,
      'leaver:blocked',
    ]);
    expect(result.kept).toMatchObject([{ userId: 'leaver-10', reason: 'cap' }]);
    expect(sim.requestCount(DELETES)).toBe(2);
  });

  it('a leaver unblocked since the plan is kept by the re-read before the DELETE', async () => {
    const site = emptySite('leavers', NOW);
    const user = holder(site, 'returned', 3, { blacklisted: true });
    const { qrs } = await open(site);
    const { result: plan } = await release(
      qrs,
      { leavers: { blocked: { releaseAfterDays: 0 } } },
      true,
    );
    const [candidate] = plan.candidates;
    if (!candidate) throw new Error('no candidate');
    user.blacklisted = false;

    const confirmed = await confirmCandidates(
      qrs,
      [candidate],
      new Map([[candidateKey(candidate), user.id]]),
      releasePolicy(releaseConfig({})).rules,
    );

    expect(confirmed.candidates).toEqual([]);
    expect(confirmed.kept[0]).toMatchObject({ userId: 'returned', reason: 'active' });
    expect(confirmed.kept[0]?.detail).toMatch(
      /leaver:blocked no longer holds \(blacklisted is false\)/,
    );
  });

  it('dry run lists the leaver with its reason and sends no DELETE', async () => {
    const site = emptySite('leavers', NOW);
    holder(site, 'leaver', 1, { inactive: true });
    const { sim, qrs } = await open(site);

    const { result } = await release(qrs, { leavers: { inactive: { releaseAfterDays: 0 } } }, true);

    expect(result.candidates).toMatchObject([
      { userId: 'leaver', releaseReason: 'leaver:inactive' },
    ]);
    expect(formatReleaseReport([result])).toMatch(/CORP\\leaver .* leaver:inactive/);
    expect(sim.requestCount(DELETES)).toBe(0);
  });

  it('without leavers, a flagged user waits for the threshold as before', async () => {
    const site = emptySite('leavers', NOW);
    holder(site, 'leaver', 30, { removedExternally: true });
    const { sim, qrs } = await open(site);

    const { result } = await release(qrs, {});

    expect(result.released).toEqual([]);
    expect(sim.requestCount(DELETES)).toBe(0);
    expect(sim.requestCount('GET /qrs/user/full')).toBe(0);
  });
});
