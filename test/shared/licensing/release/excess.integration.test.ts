/**
 * Excess (docs/release.md, "Excess") against the QRS simulator over real mutual TLS: after the
 * license shrinks, a release run names the allocations whose release ends the excess,
 * longest-inactive first and within the rules and the cap, in the dry run and in the report.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatReportMessage } from '#shared/licensing/release/report-message.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { addAllocation, addUser, emptySite, type SimSite } from '#test/simulator/site.ts';
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

/** Six Professional allocations on a license reduced to 3: an excess of 3. */
function shrunkSite(): SimSite {
  const site = emptySite('excess', NOW);
  site.totals.professional = 3;
  for (const [userId, days, tags] of [
    ['active-1', 2, []],
    ['inactive-100', 100, []],
    ['protected-300', 300, ['Keep']],
    ['inactive-200', 200, []],
    ['active-5', 5, []],
    ['inactive-150', 150, []],
  ] as const) {
    const user = addUser(site, { userId, userDirectory: 'CORP', tags: [...tags] });
    addAllocation(site, {
      licenseType: 'professional',
      userRef: user.id,
      lastUsed: new Date(NOW.getTime() - days * DAY_MS).toISOString(),
    });
  }
  return site;
}

async function open(site: SimSite) {
  const sim = await startSimulator({ site, pki });
  const qrs = new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: sim.pki.client.cert, key: sim.pki.client.key, ca: sim.pki.ca },
    retry: { maxRetries: 0 },
    sleep: async () => {},
  });
  opened.push({ sim, qrs });
  return { sim, qrs };
}

function release(qrs: QrsClient, dryRun: boolean, block: Record<string, unknown> = {}) {
  return runSiteRelease({
    site: 'excess',
    release: releaseConfig({
      neverRelease: { tag: ['keep'] },
      licenseType: { professional: { releaseThresholdDays: 90 }, analyzer: { enable: false } },
      ...block,
    }),
    dryRun,
    runId: 'run-excess',
    qrs,
    logger: memoryLogger(),
    now: () => NOW,
  });
}

const users = (items: ReadonlyArray<{ userId: string | null }>) => items.map((item) => item.userId);

describe('excess', () => {
  it('dry run: names the allocations that end the excess, longest-inactive first, protected ones left out', async () => {
    const { sim, qrs } = await open(shrunkSite());

    const result = await release(qrs, true);

    expect(result.excess).toHaveLength(1);
    expect(result.excess?.[0]).toMatchObject({ licenseType: 'professional', excess: 3, short: 0 });
    expect(users(result.excess?.[0]?.releaseFirst ?? [])).toEqual([
      'inactive-200',
      'inactive-150',
      'inactive-100',
    ]);
    expect(sim.requestCount(DELETES)).toBe(0);
    const report = formatReportMessage({
      runId: 'run-excess',
      result,
    });
    expect(report.body).toMatch(
      /Excess professional: 3 over the license; these end it: 3\n {2}professional {2}CORP\\inactive-200/,
    );
  });

  it('within the cap: what the cap keeps is reported as short, not released', async () => {
    const { sim, qrs } = await open(shrunkSite());

    const result = await release(qrs, false, { maxReleasesPerRun: 2 });

    expect(users(result.released)).toEqual(['inactive-200', 'inactive-150']);
    expect(sim.requestCount(DELETES)).toBe(2);
    expect(result.excess?.[0]).toMatchObject({ excess: 3, short: 1 });
    expect(users(result.excess?.[0]?.releaseFirst ?? [])).toEqual(['inactive-200', 'inactive-150']);
    const table = formatReleaseReport([result]);
    expect(table).toMatch(/Excess professional: 3 over the license; release first \(2\):/);
    expect(table).toMatch(/1 more must go: the rules or the cap keep them/);
  });

  it('no excess: no excess block in the result', async () => {
    const site = shrunkSite();
    site.totals.professional = 10;
    const { qrs } = await open(site);

    const result = await release(qrs, true);

    expect(result.excess).toBeUndefined();
  });

  it('an unreadable overview does not stop the run: it only reports no excess', async () => {
    const { sim, qrs } = await open(shrunkSite());
    sim.faults.push({ route: '/qrs/license/accesstypeoverview', status: 500 });

    const result = await release(qrs, true);

    expect(result.error).toBeUndefined();
    expect(result.candidates).toHaveLength(3);
    expect(result.excess).toBeUndefined();
  });
});
