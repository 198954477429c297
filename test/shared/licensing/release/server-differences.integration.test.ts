/**
 * Answers a real Qlik server may give that our simulator does not give by itself (Qlik's spec
 * leaves them open, or they arise from changes while a run reads): each must end in "kept", never
 * in a DELETE (docs/release.md, "What is read from QRS"). Against the simulator over mutual TLS,
 * the server's difference injected as a fault or a client that hears the server differently.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnmatchedRulesError } from '#shared/licensing/release/rule-check.ts';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import type { ReleaseSink } from '#shared/licensing/sinks.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator, type TableListForm } from '#test/simulator/server.ts';
import {
  addAllocation,
  addUser,
  emptySite,
  generateSite,
  type SimSite,
} from '#test/simulator/site.ts';
import { memoryLogger, releaseConfig } from '#test/support/release.ts';
import { DAY_MS } from '#test/support/time.ts';

const LIST = '/qrs/license/professionalaccesstype/full';

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

async function open(
  site: SimSite,
  Client: typeof QrsClient = QrsClient,
  options: { tableListForm?: TableListForm } = {},
) {
  const sim = await startSimulator({ site, pki, ...options });
  const qrs = new Client({
    host: 'localhost',
    port: sim.port,
    tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
  });
  opened.push({ sim, qrs });
  return { sim, qrs };
}

const deletes = (sim: Simulator) => sim.methodCounters.get('DELETE')?.requests ?? 0;

describe('the same allocation listed twice', () => {
  /** One idle allocation; QRS lists it twice, the second copy used an hour ago. */
  async function listedTwice() {
    const now = new Date();
    const site = emptySite('twice', now);
    const user = addUser(site, { userId: 'anna', userDirectory: 'LAB' });
    const longAgo = new Date(now.getTime() - 400 * DAY_MS).toISOString();
    const allocation = addAllocation(site, {
      licenseType: 'professional',
      userRef: user.id,
      lastUsed: longAgo,
    });
    const item = (lastUsed: string) => ({
      id: allocation.id,
      createdDate: allocation.createdDate,
      user: { id: user.id, userId: user.userId, userDirectory: user.userDirectory, name: 'Anna' },
      lastUsed,
      excess: false,
      quarantined: false,
      quarantineEnd: allocation.quarantineEnd,
      deletedUserId: '',
      deletedUserDirectory: '',
      schemaPath: 'License.ProfessionalAccessType',
    });
    const recent = new Date(now.getTime() - 3_600_000).toISOString();
    return { now, site, allocation, stale: item(longAgo), fresh: item(recent) };
  }

  it('copies that differ (used meanwhile) are doubt: kept, no DELETE', async () => {
    const { now, site, allocation, stale, fresh } = await listedTwice();
    const { sim, qrs } = await open(site);
    sim.faults.push({
      method: 'GET',
      route: LIST,
      status: 200,
      body: JSON.stringify([stale, fresh]),
    });

    const result = await runSiteRelease({
      site: 'twice',
      release: releaseConfig({ maxReleasesPerRun: 10 }),
      dryRun: false,
      runId: 'run-1',
      qrs,
      logger: memoryLogger(),
      now: () => now,
    });

    expect(deletes(sim)).toBe(0);
    expect(result.candidates).toEqual([]);
    expect(result.kept).toEqual([
      expect.objectContaining({
        accessTypeId: allocation.id,
        reason: 'no-date',
        detail: expect.stringContaining('the copies differ'),
      }),
    ]);
  });

  it('identical copies are one allocation: one DELETE', async () => {
    const { now, site, stale } = await listedTwice();
    const { sim, qrs } = await open(site);
    sim.faults.push({
      method: 'GET',
      route: LIST,
      status: 200,
      body: JSON.stringify([stale, stale]),
    });

    const result = await runSiteRelease({
      site: 'twice',
      release: releaseConfig({ maxReleasesPerRun: 10 }),
      dryRun: false,
      runId: 'run-1',
      qrs,
      logger: memoryLogger(),
      now: () => now,
    });

    expect(result.released).toHaveLength(1);
    expect(deletes(sim)).toBe(1);
  });
});

/**
 * A server whose `/qrs/user/count` filter does not follow a path through a list (`tags.name`,
 * `customProperties.value`) and answers 0, and whose user table leaves List columns empty: the
 * cross-check then agrees (0 = 0) and the table is trusted, wrongly. The re-read of the users
 * before the DELETEs (`GET /qrs/user/full`) is what still protects them.
 */
class ListBlindCounts extends QrsClient {
  override countUsers(filter?: string): Promise<number> {
    if (filter && /\b(tags|customProperties)\./i.test(filter)) return Promise.resolve(0);
    return super.countUsers(filter);
  }
}

describe('a server whose counts and table both miss the lists', () => {
  it('a real release sends no DELETE for a user with a protecting tag or custom property', async () => {
    const now = new Date();
    const site = generateSite({ allocations: 3_000, seed: 23, now });
    // The server resolves List columns to nothing (issue: "List columns empty").
    const { sim, qrs } = await open(site, ListBlindCounts, { tableListForm: 'empty' });
    const listProtected = new Set<string>();
    for (const allocation of site.allocations.values()) {
      const user = allocation.userRef ? site.users.get(allocation.userRef) : undefined;
      if (
        user?.tags.some((tag) => tag.toLowerCase() === 'license do not release') ||
        user?.customProperties.some(
          (p) => p.name === 'LicenseManage' && p.value.toLowerCase() === 'do-not-release',
        )
      )
        listProtected.add(allocation.id);
    }
    expect(listProtected.size).toBeGreaterThan(50);
    const release = releaseConfig({
      maxReleasesPerRun: 100_000,
      neverRelease: {
        tag: ['License do not release'],
        customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }],
      },
    });

    const result = await runSiteRelease({
      site: 'generated',
      release,
      dryRun: false,
      runId: 'run-1',
      qrs,
      logger: memoryLogger(),
      now: () => now,
    });

    expect(result.userRead).toBe('bulk table, cross-checked');
    expect(result.released.length).toBeGreaterThan(500);
    expect(result.released.filter((item) => listProtected.has(item.accessTypeId))).toEqual([]);
    expect(deletes(sim)).toBe(result.released.length);
    expect(result.kept).toContainEqual(
      expect.objectContaining({
        reason: 'protected:tag',
        detail: expect.stringContaining('re-read before the DELETE'),
      }),
    );
  });
});

describe('a sink that throws at once instead of rejecting', () => {
  it('the run still returns what it released: the error is a sink error, never a throw after a DELETE', async () => {
    const now = new Date();
    const site = emptySite('sinks', now);
    const user = addUser(site, { userId: 'bo', userDirectory: 'LAB' });
    addAllocation(site, {
      licenseType: 'analyzer',
      userRef: user.id,
      lastUsed: new Date(now.getTime() - 400 * DAY_MS).toISOString(),
    });
    const { sim, qrs } = await open(site);
    const broken: ReleaseSink = {
      name: 'broken',
      write: () => {
        throw new Error('not configured');
      },
    };

    const result = await runSiteRelease({
      site: 'sinks',
      release: releaseConfig({ maxReleasesPerRun: 10 }),
      dryRun: false,
      runId: 'run-1',
      qrs,
      logger: memoryLogger(),
      now: () => now,
      sinks: [broken],
    });

    expect(deletes(sim)).toBe(1);
    expect(result.released).toHaveLength(1);
    expect(result.sinkErrors).toEqual(['broken: not configured']);
  });
});

describe('a remaining-time check that throws', () => {
  it('after the first DELETE: the rest is deferred and the run returns', async () => {
    const now = new Date();
    const site = emptySite('stop', now);
    for (const userId of ['a1', 'a2', 'a3']) {
      const user = addUser(site, { userId, userDirectory: 'LAB' });
      addAllocation(site, {
        licenseType: 'analyzer',
        userRef: user.id,
        lastUsed: new Date(now.getTime() - 400 * DAY_MS).toISOString(),
      });
    }
    const { sim, qrs } = await open(site);
    let asked = 0;

    const result = await runSiteRelease({
      site: 'stop',
      release: releaseConfig({ maxReleasesPerRun: 10, deleteConcurrency: 1 }),
      dryRun: false,
      runId: 'run-1',
      qrs,
      logger: memoryLogger(),
      now: () => now,
      shouldStop: () => {
        if (asked++ > 0) throw new Error('context gone');
        return false;
      },
    });

    expect(deletes(sim)).toBe(1);
    expect(result.released).toHaveLength(1);
    expect(result.deferred).toHaveLength(2);
  });
});

describe('/qrs/user/count in a shape not known here', () => {
  it.each([
    ['{"count": 3}', '{"count":3}'],
    ['a number as text', '"3"'],
    ['a negative count', '{"value":-1}'],
  ])('%s: a real release with rules to check sends no DELETE', async (_, body) => {
    const now = new Date();
    const site = emptySite('counts', now);
    const user = addUser(site, { userId: 'cid', userDirectory: 'LAB', tags: ['Keep'] });
    addAllocation(site, {
      licenseType: 'professional',
      userRef: user.id,
      lastUsed: new Date(now.getTime() - 400 * DAY_MS).toISOString(),
    });
    const { sim, qrs } = await open(site);
    sim.faults.push({ method: 'GET', route: '/qrs/user/count', status: 200, body });

    const run = runSiteRelease({
      site: 'counts',
      release: releaseConfig({ maxReleasesPerRun: 10, neverRelease: { tag: ['Keep'] } }),
      dryRun: false,
      runId: 'run-1',
      qrs,
      logger: memoryLogger(),
      now: () => now,
    });

    await expect(run).rejects.toThrow(/user\/count/);
    expect(deletes(sim)).toBe(0);
  });
});

describe('the re-read before the DELETE gets user records of another shape', () => {
  it.each([
    ['tags without names', (id: string) => ({ tags: [{ id }] })],
    ['tags as bare strings', () => ({ tags: ['Keep'] })],
    ['no tags field', () => ({ tags: undefined })],
    [
      'custom properties without a definition name',
      (id: string) => ({
        customProperties: [{ value: 'x', definition: { id } }],
      }),
    ],
  ])('%s: kept, no DELETE', async (_, change) => {
    const now = new Date();
    const site = emptySite('reread', now);
    const user = addUser(site, { userId: 'dan', userDirectory: 'LAB' });
    addAllocation(site, {
      licenseType: 'professional',
      userRef: user.id,
      lastUsed: new Date(now.getTime() - 400 * DAY_MS).toISOString(),
    });
    const record = {
      id: user.id,
      userId: 'dan',
      userDirectory: 'LAB',
      name: 'dan',
      inactive: false,
      blacklisted: false,
      removedExternally: false,
      tags: [],
      customProperties: [],
      ...change('6f0b1a52-5d3c-4b41-9c1e-7f6b1e2f4a10'),
    };
    let sim: Simulator | undefined;
    let reads = 0;
    // The plan's read gets the usual record; the re-read (the second read) the other shape.
    class OtherShapeOnReread extends QrsClient {
      override getUsersByIds(...args: Parameters<QrsClient['getUsersByIds']>) {
        if (++reads === 2)
          sim?.faults.push({
            method: 'GET',
            route: '/qrs/user/full',
            status: 200,
            body: JSON.stringify([record]),
            times: 1,
          });
        return super.getUsersByIds(...args);
      }
    }
    const opened = await open(site, OtherShapeOnReread);
    sim = opened.sim;
    const { qrs } = opened;

    const result = await runSiteRelease({
      site: 'reread',
      release: releaseConfig({
        maxReleasesPerRun: 10,
        neverRelease: { tag: ['Keep'], customProperty: [{ name: 'Keep', value: 'yes' }] },
        allowUnmatchedRules: true,
      }),
      dryRun: false,
      runId: 'run-1',
      qrs,
      logger: memoryLogger(),
      now: () => now,
    });

    expect(reads).toBe(2);
    expect(deletes(sim)).toBe(0);
    expect(result.released).toEqual([]);
    expect(result.kept).toEqual([
      expect.objectContaining({
        userId: 'dan',
        detail: expect.stringContaining('re-read before the DELETE'),
      }),
    ]);
  });
});

describe('an allocation listed without lastUsed', () => {
  it.each([
    ['absent: kept (no-date), no DELETE', false, 0],
    ['null: never used, judged by its allocation date and released', true, 1],
  ])('%s', async (_, sendNull, expectedDeletes) => {
    const now = new Date();
    const site = emptySite('no-last-used', now);
    const user = addUser(site, { userId: 'eva', userDirectory: 'LAB' });
    const allocation = addAllocation(site, { licenseType: 'professional', userRef: user.id });
    const { sim, qrs } = await open(site);
    const item: Record<string, unknown> = {
      id: allocation.id,
      createdDate: new Date(now.getTime() - 400 * DAY_MS).toISOString(),
      user: { id: user.id, userId: 'eva', userDirectory: 'LAB', name: 'Eva' },
      excess: false,
      quarantined: false,
      quarantineEnd: allocation.quarantineEnd,
      deletedUserId: '',
      deletedUserDirectory: '',
    };
    if (sendNull) item.lastUsed = null;
    sim.faults.push({ method: 'GET', route: LIST, status: 200, body: JSON.stringify([item]) });

    const result = await runSiteRelease({
      site: 'no-last-used',
      release: releaseConfig({ maxReleasesPerRun: 10 }),
      dryRun: false,
      runId: 'run-1',
      qrs,
      logger: memoryLogger(),
      now: () => now,
    });

    expect(deletes(sim)).toBe(expectedDeletes);
    if (expectedDeletes === 0)
      expect(result.kept).toEqual([
        expect.objectContaining({
          accessTypeId: allocation.id,
          reason: 'no-date',
          detail: expect.stringContaining('lastUsed: absent'),
        }),
      ]);
    else expect(result.released.map((entry) => entry.accessTypeId)).toEqual([allocation.id]);
  });
});

describe('a reviewed plan applied under a rule that matches nothing', () => {
  it('is refused like a normal run: no DELETE', async () => {
    const now = new Date();
    const site = emptySite('plan', now);
    const user = addUser(site, { userId: 'finn', userDirectory: 'LAB' });
    const lastUsed = new Date(now.getTime() - 400 * DAY_MS).toISOString();
    const allocation = addAllocation(site, { licenseType: 'analyzer', userRef: user.id, lastUsed });
    const { sim, qrs } = await open(site);
    const candidate = {
      accessTypeId: allocation.id,
      licenseType: 'analyzer' as const,
      userDirectory: 'LAB',
      userId: 'finn',
      lastActivity: lastUsed,
      inactiveDays: 400,
    };

    const run = runSiteRelease({
      site: 'plan',
      release: releaseConfig({
        maxReleasesPerRun: 10,
        neverRelease: { tag: ['Licence do not relase'] },
      }),
      dryRun: false,
      runId: 'run-1',
      qrs,
      logger: memoryLogger(),
      now: () => now,
      plan: { site: 'plan', evaluatedAt: now, candidates: [candidate], rules: undefined },
    });

    await expect(run).rejects.toBeInstanceOf(UnmatchedRulesError);
    expect(deletes(sim)).toBe(0);
  });
});
