/**
 * The bulk user read against servers that shape the user table differently (issue "Never release
 * on the bulk user read alone"): a List cell as a nested table, `null` for a user without tags,
 * List columns left empty, and more. Each against a site of 3,000 allocations over mutual TLS:
 * a dry run names no protected user and finds every idle unprotected allocation; a real release
 * of 1,000 sends 1,000 DELETEs, each for an idle unprotected allocation. The expected sets come
 * from the simulator's own data (`expectedRelease`), not from the product.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSiteRelease } from '#shared/licensing/release/run.ts';
import type { SiteReleaseResult } from '#shared/licensing/release/types.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator, type TableListForm } from '#test/simulator/server.ts';
import { generateSite, NO_DATE, type SimSite, type SimUser } from '#test/simulator/site.ts';
import { memoryLogger, releaseConfig } from '#test/support/release.ts';
import { DAY_MS } from '#test/support/time.ts';

const THRESHOLD_DAYS = 30;
const TABLE = 'POST /qrs/user/table';
const COUNT = 'GET /qrs/user/count';
const BY_IDS = 'GET /qrs/user/full';

const RULES = {
  neverRelease: {
    tag: ['License do not release'],
    customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }],
    userDirectory: ['ADMIN'],
    blocked: 'Yes',
    removedExternally: 'Yes',
  },
  licenseType: {
    analyzer: { releaseThresholdDays: THRESHOLD_DAYS },
    professional: { releaseThresholdDays: THRESHOLD_DAYS },
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

async function open(
  allocations: number,
  options: { tableListForm?: TableListForm; reverseTableColumns?: boolean } = {},
) {
  const now = new Date();
  const site = generateSite({ allocations, seed: 21, now });
  const sim = await startSimulator({ site, pki, ...options });
  const qrs = new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
  });
  opened.push({ sim, qrs });
  return { sim, qrs, now, site };
}

function release(
  qrs: QrsClient,
  now: Date,
  options: { dryRun: boolean; cap: number; block?: Record<string, unknown> },
): Promise<SiteReleaseResult> {
  return runSiteRelease({
    site: 'generated',
    release: releaseConfig({ ...RULES, ...options.block, maxReleasesPerRun: options.cap }),
    dryRun: options.dryRun,
    runId: 'run-1',
    qrs,
    logger: memoryLogger(),
    now: () => now,
  });
}

const isProtected = (user: SimUser): boolean =>
  user.userDirectory.toLowerCase() === 'admin' ||
  user.blacklisted ||
  user.removedExternally ||
  user.tags.some((tag) => tag.toLowerCase() === 'license do not release') ||
  user.customProperties.some(
    (property) =>
      property.name.toLowerCase() === 'licensemanage' &&
      property.value.toLowerCase() === 'do-not-release',
  );

/** From the simulator's data: the idle, unquarantined allocations of unprotected users. */
function expectedRelease(
  site: SimSite,
  now: Date,
): { idle: Set<string>; protectedIds: Set<string> } {
  const idle = new Set<string>();
  const protectedIds = new Set<string>();
  for (const allocation of site.allocations.values()) {
    const user = allocation.userRef ? site.users.get(allocation.userRef) : undefined;
    if (!user) continue;
    if (isProtected(user)) {
      protectedIds.add(allocation.id);
      continue;
    }
    if (allocation.quarantined) continue;
    const activity = Date.parse(
      allocation.lastUsed === NO_DATE ? allocation.createdDate : allocation.lastUsed,
    );
    if (now.getTime() - activity >= THRESHOLD_DAYS * DAY_MS) idle.add(allocation.id);
  }
  return { idle, protectedIds };
}

const ids = (items: ReadonlyArray<{ accessTypeId: string }>) =>
  new Set(items.map((item) => item.accessTypeId));

describe.each([
  ['a nested table { columnNames, rows }', 'nestedTable', 'bulk table, cross-checked'],
  ['null for a user without items', 'nullWhenEmpty', 'bulk table, cross-checked'],
  ['objects keyed by the column names', 'objects', 'bulk table, cross-checked'],
  ['empty List columns (resolved differently)', 'empty', 'id batches'],
  ['bare strings (a form no reader knows)', 'strings', 'id batches'],
] as const)('a server sending List cells as %s', (_, form, read) => {
  it('dry run of 3,000: names no protected user, finds every idle unprotected allocation', async () => {
    const { sim, qrs, now, site } = await open(3_000, { tableListForm: form });
    const expected = expectedRelease(site, now);

    const result = await release(qrs, now, { dryRun: true, cap: 100_000 });

    const candidates = ids(result.candidates);
    expect(expected.idle.size).toBeGreaterThan(1_000);
    expect([...candidates].filter((id) => expected.protectedIds.has(id))).toEqual([]);
    expect(candidates).toEqual(expected.idle);
    expect(sim.requestCount(TABLE)).toBeGreaterThan(0);
    expect(result.userRead).toBe(read);
    if (read === 'id batches') {
      // Said once, in the output and the metric's source, with the reason.
      expect(result.warnings?.filter((line) => /not trusted/.test(line))).toHaveLength(1);
      expect(result.userTableNotTrusted).toMatch(
        form === 'empty' ? /cross-check disagrees/ : /form not known/,
      );
      expect(sim.requestCount(BY_IDS)).toBeGreaterThan(10);
    } else {
      expect(result.userTableNotTrusted).toBeUndefined();
      expect(sim.requestCount(BY_IDS)).toBe(0);
    }
  });

  it('real release of 1,000 sends 1,000 DELETEs, each for an idle unprotected allocation', async () => {
    const { sim, qrs, now, site } = await open(3_000, { tableListForm: form });
    const expected = expectedRelease(site, now);

    const result = await release(qrs, now, { dryRun: false, cap: 1_000 });

    expect(sim.methodCounters.get('DELETE')?.requests).toBe(1_000);
    expect(result.released).toHaveLength(1_000);
    expect(result.failed).toEqual([]);
    expect([...ids(result.released)].filter((id) => !expected.idle.has(id))).toEqual([]);
  });
});

describe('the bulk table in any column order', () => {
  it('reads the columns by name, not by position', async () => {
    const { qrs, now, site } = await open(3_000, { reverseTableColumns: true });

    const result = await release(qrs, now, { dryRun: true, cap: 100_000 });

    expect(result.userRead).toBe('bulk table, cross-checked');
    expect(ids(result.candidates)).toEqual(expectedRelease(site, now).idle);
  });
});

describe('the re-read before the DELETE', () => {
  it('keeps an allocation whose user became protected after the table was read', async () => {
    const { sim, qrs, now, site } = await open(3_000);
    const victims: SimUser[] = [];
    // Blocked in the QMC between the plan's table read and the DELETEs: the cross-check (tags
    // and custom properties) cannot see it; only the re-read can.
    const getUserTable = qrs.getUserTable.bind(qrs);
    qrs.getUserTable = async (...args) => {
      const table = await getUserTable(...args);
      if (victims.length === 0) {
        const { idle } = expectedRelease(site, now);
        for (const allocation of site.allocations.values()) {
          const user = allocation.userRef ? site.users.get(allocation.userRef) : undefined;
          if (user && idle.has(allocation.id) && victims.length < 3) {
            user.blacklisted = true;
            victims.push(user);
          }
        }
      }
      return table;
    };

    const result = await release(qrs, now, { dryRun: false, cap: 100_000 });

    expect(result.userRead).toBe('bulk table, cross-checked');
    const released = new Set(result.released.map((item) => item.userId));
    for (const victim of victims) {
      expect(released.has(victim.userId)).toBe(false);
      expect(result.kept.find((item) => item.userId === victim.userId)).toMatchObject({
        reason: 'protected:blocked',
        detail: expect.stringMatching(/^re-read before the DELETE: neverRelease\.blocked: Yes/),
      });
    }
    // The re-read: the DELETE set's users in batches of 50, never one request per user.
    expect(sim.requestCount(BY_IDS)).toBe(Math.ceil((result.released.length + 3) / 50));
  });

  it('keeps an allocation whose user cannot be read any more, and sends no DELETE for it', async () => {
    const { sim, qrs, now } = await open(200);
    const dry = await release(qrs, now, { dryRun: true, cap: 5 });
    const gone = dry.candidates[0];
    const userRef = [...sim.site.allocations.values()].find(
      (allocation) => allocation.id === gone?.accessTypeId,
    )?.userRef;
    // The user vanishes between the plan's batches and the re-read.
    const getUsersByIds = qrs.getUsersByIds.bind(qrs);
    let calls = 0;
    qrs.getUsersByIds = async (...args) => {
      if (++calls === 2) sim.site.users.delete(userRef as string);
      return getUsersByIds(...args);
    };

    const result = await release(qrs, now, { dryRun: false, cap: 5 });

    expect(result.released.map((item) => item.accessTypeId)).not.toContain(gone?.accessTypeId);
    expect(result.kept.find((item) => item.accessTypeId === gone?.accessTypeId)).toMatchObject({
      reason: 'no-user',
      detail: expect.stringMatching(/^re-read before the DELETE: QRS returned no user record/),
    });
    expect(sim.methodCounters.get('DELETE')?.requests).toBe(4);
  });
});

describe('the re-read before the DELETE, by id', () => {
  it('keeps an allocation whose user record now names another user', async () => {
    const { sim, qrs, now } = await open(200);
    const dry = await release(qrs, now, { dryRun: true, cap: 5 });
    const renamed = dry.candidates[1];
    const userRef = [...sim.site.allocations.values()].find(
      (allocation) => allocation.id === renamed?.accessTypeId,
    )?.userRef;
    const getUsersByIds = qrs.getUsersByIds.bind(qrs);
    let calls = 0;
    qrs.getUsersByIds = async (...args) => {
      const user = sim.site.users.get(userRef as string);
      if (++calls === 2 && user) user.userId = 'someone-else';
      return getUsersByIds(...args);
    };

    const result = await release(qrs, now, { dryRun: false, cap: 5 });

    expect(result.kept.find((item) => item.accessTypeId === renamed?.accessTypeId)).toMatchObject({
      reason: 'no-user',
      detail: expect.stringMatching(
        /^re-read before the DELETE: the user record .* names \w+\\someone-else/,
      ),
    });
    expect(sim.methodCounters.get('DELETE')?.requests).toBe(4);
  });
});

describe('QRS requests of a large dry run', () => {
  it('40,000 allocations, every candidate needing its record: at most 14 requests, cross-check, rule checks and the excess read included; the usual run 9', async () => {
    const { sim, qrs, now, site } = await open(40_000);
    const someone = [...site.users.values()][0] as SimUser;
    const block = {
      neverRelease: {
        ...RULES.neverRelease,
        user: [{ userDir: someone.userDirectory, userId: someone.userId }],
      },
    };

    const result = await release(qrs, now, { dryRun: true, cap: 100_000, block });

    const byRoute = Object.fromEntries(
      [...sim.counters].map(([route, counter]) => [route, counter.requests]),
    );
    expect(result.userRead).toBe('bulk table, cross-checked');
    expect(result.warnings).toBeUndefined();
    expect(result.candidates.length).toBeGreaterThan(20_000);
    // 2 lists, 4 table pages of 10,000; user/count: the user count, the 2 cross-check counts
    // (the tag's also shows the tag exists), the user rule, the directory; the custom property
    // definitions (the rule's value among its choices); the license overview, for the excess
    // (docs/release.md, "Excess").
    expect(byRoute).toEqual({
      'GET /qrs/license/professionalaccesstype/full': 1,
      'GET /qrs/license/analyzeraccesstype/full': 1,
      'GET /qrs/license/accesstypeoverview': 1,
      'GET /qrs/custompropertydefinition/full': 1,
      [COUNT]: 5,
      [TABLE]: 4,
    });
    expect(sim.requestCount()).toBeLessThanOrEqual(14);

    // The usual run (cap 50) on the same site: id batches, and the same rule checks.
    sim.resetCounters();
    const usual = await release(qrs, now, { dryRun: true, cap: 50, block });

    expect(usual.userRead).toBe('id batches');
    expect(usual.candidates).toHaveLength(50);
    expect(Object.fromEntries([...sim.counters].map(([route, c]) => [route, c.requests]))).toEqual({
      'GET /qrs/license/professionalaccesstype/full': 1,
      'GET /qrs/license/analyzeraccesstype/full': 1,
      'GET /qrs/license/accesstypeoverview': 1,
      'GET /qrs/custompropertydefinition/full': 1,
      [BY_IDS]: 2,
      [COUNT]: 3,
    });
  });
});
