/**
 * Release runs against the QRS simulator over real mutual TLS: what is read, what is deleted,
 * how failures, 404s, quarantine and the deadline are reported.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { executeReleases } from '#shared/licensing/release/executor.ts';
import { fetchReleasePlan } from '#shared/licensing/release/fetch.ts';
import { planRelease, releasePolicy } from '#shared/licensing/release/planner.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import type { QrsUser } from '#shared/qrs/schemas.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import {
  addAllocation,
  addUser,
  createSampleSite,
  generateSite,
  type SimSite,
} from '#test/simulator/site.ts';
import { memoryLogger, releaseConfig } from '#test/support/release.ts';
import { DAY_MS } from '#test/support/time.ts';

const DELETE_PROFESSIONAL = 'DELETE /qrs/license/professionalaccesstype/{id}';
const DELETE_ANALYZER = 'DELETE /qrs/license/analyzeraccesstype/{id}';

/** The demo's rules (test/simulator/demo.ts): every kind of protection is in the sample site. */
const SAMPLE_RULES = {
  maxReleasesPerRun: 50,
  deleteConcurrency: 2,
  neverRelease: {
    user: [{ userDir: 'INTERNAL', userId: 'sa_repository' }],
    tag: ['License do not release'],
    customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }],
    userDirectory: ['ADMIN'],
    blocked: 'Yes',
  },
  licenseType: {
    analyzer: { releaseThresholdDays: 30 },
    professional: { releaseThresholdDays: 60 },
  },
};

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

async function open(site: SimSite, options: { deleteLatencyMs?: number } = {}) {
  const sim = await startSimulator({ site, pki, ...options });
  const qrs = new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: sim.pki.client.cert, key: sim.pki.client.key, ca: sim.pki.ca },
    sleep: async () => {},
  });
  opened.push({ sim, qrs });
  return { sim, qrs };
}

const deletes = (sim: Simulator) =>
  sim.requestCount(DELETE_PROFESSIONAL) + sim.requestCount(DELETE_ANALYZER);

const userIds = (items: ReadonlyArray<{ userId: string | null }>) =>
  items.map((item) => item.userId);

function run(qrs: QrsClient, dryRun: boolean, block: Record<string, unknown> = SAMPLE_RULES) {
  const logger = memoryLogger();
  return {
    logger,
    result: runSiteRelease({
      site: 'sample',
      release: releaseConfig(block),
      dryRun,
      runId: 'run-1',
      qrs,
      logger,
    }),
  };
}

describe('release against the sample site', () => {
  it('dry run: lists the candidates longest-inactive first and sends no DELETE', async () => {
    const { sim, qrs } = await open(createSampleSite(new Date()));

    const { result, logger } = run(qrs, true);
    const outcome = await result;

    expect(userIds(outcome.candidates)).toEqual(['cecilia', 'gustav', 'bertil', 'erik']);
    expect(deletes(sim)).toBe(0);
    expect(outcome.released).toEqual([]);
    const reasons = Object.fromEntries(outcome.kept.map((item) => [item.userId, item.reason]));
    expect(reasons).toEqual({
      sa_repository: 'protected:user',
      hanna: 'active',
      ivar: 'protected:customProperty',
      karl: 'protected:blocked',
      admin1: 'protected:userDirectory',
    });
    const wouldBe = logger.lines.filter((line) => line.extra.outcome === 'wouldRelease');
    expect(wouldBe).toHaveLength(4);
    expect(wouldBe[0]?.level).toBe('info');
    expect(wouldBe[0]?.extra).toMatchObject({
      site: 'sample',
      runId: 'run-1',
      userId: 'cecilia',
      licenseType: 'professional',
      dryRun: true,
      inactiveDays: 190,
    });
    expect(String(wouldBe[0]?.extra.rules)).toMatch(/blocked=Yes/);
  });

  it('narrows the allocation lists with a lastUsed filter per type at the exact cutoff', async () => {
    const { sim, qrs } = await open(createSampleSite(new Date()));
    const before = Date.now();

    await run(qrs, true).result;

    const professional = sim.filters.get('GET /qrs/license/professionalaccesstype/full') ?? [];
    const analyzer = sim.filters.get('GET /qrs/license/analyzeraccesstype/full') ?? [];
    expect(professional).toHaveLength(1);
    expect(analyzer).toHaveLength(1);
    const cutoff = Date.parse(/'(.+)'/.exec(professional[0] ?? '')?.[1] ?? '');
    expect(professional[0]).toMatch(/^lastUsed le '/);
    expect(Math.abs(before - 60 * DAY_MS - cutoff)).toBeLessThan(5_000);
    // User records in one batched request, never one per user.
    expect(sim.requestCount('GET /qrs/user/full')).toBe(1);
    expect(sim.requestCount('GET /qrs/user/{id}')).toBe(0);
  });

  it('real run: deletes exactly the candidates and nothing else', async () => {
    const site = createSampleSite(new Date());
    const { sim, qrs } = await open(site);
    const allocationsBefore = new Set(site.allocations.keys());

    const outcome = await run(qrs, false).result;

    const candidateIds = outcome.candidates.map((item) => item.accessTypeId).sort();
    expect(outcome.released.map((item) => item.accessTypeId).sort()).toEqual(candidateIds);
    expect(outcome.failed).toEqual([]);
    expect(deletes(sim)).toBe(4);
    const gone = [...allocationsBefore].filter((id) => !site.allocations.has(id)).sort();
    expect(gone).toEqual(candidateIds);
  });

  it('a second run after a real run finds nothing more to release', async () => {
    const { sim, qrs } = await open(createSampleSite(new Date()));
    await run(qrs, false).result;
    sim.resetCounters();

    const again = await run(qrs, false).result;

    expect(again.candidates).toEqual([]);
    expect(deletes(sim)).toBe(0);
  });

  it('one DELETE failing with 500 leaves the others released and reports the failure', async () => {
    const site = createSampleSite(new Date());
    const { sim, qrs } = await open(site);
    const bertil = [...site.allocations.values()].find(
      (allocation) => site.users.get(allocation.userRef ?? '')?.userId === 'bertil',
    );
    sim.faults.push({
      method: 'DELETE',
      route: `/qrs/license/professionalaccesstype/${bertil?.id}`,
      status: 500,
    });

    const { result, logger } = run(qrs, false);
    const outcome = await result;

    expect(userIds(outcome.released)).toEqual(['cecilia', 'gustav', 'erik']);
    expect(outcome.failed).toHaveLength(1);
    expect(outcome.failed[0]).toMatchObject({ userId: 'bertil', accessTypeId: bertil?.id });
    expect(outcome.failed[0]?.error).toMatch(/HTTP 500/);
    expect(site.allocations.has(bertil?.id ?? '')).toBe(true);
    const failedLine = logger.lines.find((line) => line.extra.outcome === 'failed');
    expect(failedLine).toMatchObject({ level: 'error', extra: { userId: 'bertil' } });
  });

  it('a DELETE answered 404 is listed as released and already gone', async () => {
    const site = createSampleSite(new Date());
    const { qrs } = await open(site);
    const policy = releasePolicy(releaseConfig(SAMPLE_RULES));
    const plan = await fetchReleasePlan(qrs, policy, new Date());
    const first = plan.candidates[0];
    site.allocations.delete(first?.accessTypeId ?? ''); // freed by someone else meanwhile

    const execution = await executeReleases(qrs, plan.candidates, { concurrency: 2 });

    expect(execution.failed).toEqual([]);
    expect(execution.released[0]).toEqual({ ...first, alreadyGone: true });
    expect(execution.released.slice(1).every((item) => item.alreadyGone === undefined)).toBe(true);
  });

  it('a DELETE that QRS answers by quarantining the allocation counts as released', async () => {
    const now = new Date();
    const site = createSampleSite(now);
    const user = addUser(site, { userId: 'recent', userDirectory: 'LAB' });
    const recent = addAllocation(site, {
      licenseType: 'analyzer',
      userRef: user.id,
      lastUsed: new Date(now.getTime() - 5 * DAY_MS).toISOString(),
    });
    const { qrs } = await open(site);

    const outcome = await run(qrs, false, {
      ...SAMPLE_RULES,
      licenseType: { analyzer: { releaseThresholdDays: 3 }, professional: { enable: false } },
    }).result;

    expect(outcome.released.map((item) => item.accessTypeId)).toContain(recent.id);
    expect(site.allocations.get(recent.id)?.quarantined).toBe(true);
  });
});

describe('DELETE execution', () => {
  it('keeps at most deleteConcurrency DELETEs in flight', async () => {
    const site = generateSite({ allocations: 60, seed: 7, now: new Date() });
    const { sim, qrs } = await open(site, { deleteLatencyMs: 30 });

    const outcome = await run(qrs, false, { maxReleasesPerRun: 20, deleteConcurrency: 3 }).result;

    expect(outcome.released).toHaveLength(20);
    const inFlight = Math.max(
      sim.counters.get(DELETE_PROFESSIONAL)?.maxInFlight ?? 0,
      sim.counters.get(DELETE_ANALYZER)?.maxInFlight ?? 0,
    );
    expect(inFlight).toBeGreaterThan(1);
    expect(inFlight).toBeLessThanOrEqual(3);
  });

  it('starts no DELETE once shouldStop() is true and reports the rest as deferred', async () => {
    const { sim, qrs } = await open(createSampleSite(new Date()));
    let started = 0;
    const logger = memoryLogger();

    const outcome = await runSiteRelease({
      site: 'sample',
      release: releaseConfig({ ...SAMPLE_RULES, deleteConcurrency: 1 }),
      dryRun: false,
      runId: 'run-deadline',
      qrs,
      logger,
      shouldStop: () => started++ >= 2,
    });

    expect(userIds(outcome.released)).toEqual(['cecilia', 'gustav']);
    expect(userIds(outcome.deferred)).toEqual(['bertil', 'erik']);
    expect(deletes(sim)).toBe(2);
    expect(
      logger.lines.some((line) => line.level === 'warn' && /deferred/.test(line.message)),
    ).toBe(true);
  });
});

describe('QRS requests for the plan', () => {
  async function planRequests(allocations: number) {
    const now = new Date();
    const { sim, qrs } = await open(generateSite({ allocations, seed: 11, now }));
    const policy = releasePolicy(
      releaseConfig({
        maxReleasesPerRun: 50,
        neverRelease: {
          tag: ['License do not release'],
          customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }],
          userDirectory: ['ADMIN'],
          blocked: 'Yes',
          removedExternally: 'Yes',
        },
      }),
    );
    const plan = await fetchReleasePlan(qrs, policy, now);
    return { sim, qrs, plan, policy, now, requests: sim.requestCount() };
  }

  it('stays bounded when the site grows from 100 to 10,000 allocations', async () => {
    const small = await planRequests(100);
    const large = await planRequests(10_000);

    expect(small.plan.candidates.length).toBeGreaterThan(0);
    expect(large.plan.candidates).toHaveLength(50);
    // 2 allocation lists + a few batches of 50 user ids, whatever the size.
    expect(small.requests).toBeLessThanOrEqual(5);
    expect(large.requests).toBeLessThanOrEqual(6);
    expect(large.requests - small.requests).toBeLessThanOrEqual(2);
    expect(large.sim.requestCount('GET /qrs/user/{id}')).toBe(0);
    expect(large.plan.userRecordsRequested).toBeLessThanOrEqual(200);
  });

  it('selects the same candidates as planning with every user record at hand', async () => {
    const { sim, qrs, plan, policy, now } = await planRequests(2_000);
    const lists = await Promise.all([
      qrs.listAllocations('professional'),
      qrs.listAllocations('analyzer'),
    ]);
    const users = new Map<string, QrsUser>(
      [...sim.site.users.values()].map((user) => [
        user.id,
        {
          ...user,
          tags: user.tags.map((name) => ({ name })),
          customProperties: user.customProperties.map((property) => ({
            value: property.value,
            definition: { name: property.name },
          })),
        },
      ]),
    );

    const full = planRelease({
      allocations: lists.flatMap((list) => list.allocations),
      policy,
      now,
      users,
    });

    expect(plan.candidates).toEqual(full.candidates);
  });
});
