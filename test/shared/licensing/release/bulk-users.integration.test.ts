/**
 * The bulk user read (shared/licensing/release/bulk-users.ts) against the QRS simulator over
 * mutual TLS: how many requests the plan takes in the usual run and when every candidate needs
 * its user record, that both ways make the same plan, and that a user the pages did not bring is
 * kept on doubt. Plus the table rows → user records conversion on its own.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FetchedPlan, fetchReleasePlan } from '#shared/licensing/release/fetch.ts';
import { releasePolicy } from '#shared/licensing/release/planner.ts';
import { QrsClient } from '#shared/qrs/client.ts';
import { UserTableShapeError, usersFromTable } from '#shared/qrs/user-table.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import { type Simulator, startSimulator } from '#test/simulator/server.ts';
import { generateSite } from '#test/simulator/site.ts';
import { releaseConfig } from '#test/support/release.ts';

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

async function site(allocations: number) {
  const now = new Date();
  const sim = await startSimulator({ site: generateSite({ allocations, seed: 5, now }), pki });
  const qrs = new QrsClient({
    host: 'localhost',
    port: sim.port,
    tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
  });
  opened.push({ sim, qrs });
  return { sim, qrs, now };
}

/** The plan's outcome per allocation: candidate, or the reason it was kept. */
function outcomes(plan: FetchedPlan): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of plan.candidates) map.set(item.accessTypeId, 'candidate');
  for (const item of plan.kept) map.set(item.accessTypeId, item.reason);
  return map;
}

describe('user records for the plan: id batches or a bulk read', () => {
  it('the usual run (cap 50) reads users by id and never asks for the user count', async () => {
    const { sim, qrs, now } = await site(10_000);
    const policy = releasePolicy(releaseConfig({ ...RULES, maxReleasesPerRun: 50 }));

    const plan = await fetchReleasePlan(qrs, policy, now);

    expect(plan.candidates).toHaveLength(50);
    expect(sim.requestCount()).toBeLessThanOrEqual(5);
    expect(sim.requestCount(COUNT)).toBe(0);
    expect(sim.requestCount(TABLE)).toBe(0);
  });

  it('every candidate needing its record: the lists, the count and a few table pages', async () => {
    const { sim, qrs, now } = await site(10_000);
    const policy = releasePolicy(releaseConfig({ ...RULES, maxReleasesPerRun: 100_000 }));

    const plan = await fetchReleasePlan(qrs, policy, now, { userPageSize: 2_000 });

    // 2 lists + 1 count + 5 pages of 2,000 (10,000 users) + the cross-check's 2 counts (the tag
    // and the custom property rule), where id batches would be over 100.
    expect(plan.userRecordsRequested).toBeGreaterThan(5_000);
    expect(plan.userRead).toBe('bulk table, cross-checked');
    expect(sim.requestCount()).toBe(10);
    expect(sim.requestCount(COUNT)).toBe(3);
    expect(sim.filters.get(COUNT)).toEqual([
      "tags.name eq 'License do not release'",
      "customProperties.definition.name eq 'LicenseManage' and customProperties.value eq 'do-not-release'",
    ]);
    expect(sim.requestCount(TABLE)).toBe(5);
    expect(sim.requestCount(BY_IDS)).toBe(0);
    expect(plan.kept.some((item) => item.reason === 'protected:tag')).toBe(true);
    expect(plan.kept.some((item) => item.reason === 'protected:customProperty')).toBe(true);
    expect(plan.kept.some((item) => item.reason === 'protected:blocked')).toBe(true);
  });

  it('makes the same plan as the id batches, allocation by allocation', async () => {
    const { qrs, now } = await site(3_000);
    const policy = releasePolicy(releaseConfig({ ...RULES, maxReleasesPerRun: 100_000 }));
    const byIds = {
      listAllocations: qrs.listAllocations.bind(qrs),
      getUsersByIds: qrs.getUsersByIds.bind(qrs),
    };

    const bulk = await fetchReleasePlan(qrs, policy, now, { userPageSize: 1_000 });
    const batched = await fetchReleasePlan(byIds, policy, now);

    expect(bulk.candidates.length).toBeGreaterThan(1_000);
    expect(outcomes(bulk)).toEqual(outcomes(batched));
  });

  it('keeps on doubt an allocation whose user the pages did not bring (removed meanwhile)', async () => {
    const { sim, qrs, now } = await site(3_000);
    const policy = releasePolicy(releaseConfig({ ...RULES, maxReleasesPerRun: 100_000 }));
    const first = await fetchReleasePlan(qrs, policy, now);
    const victim = first.candidates[0];
    const userRef = [...sim.site.allocations.values()].find(
      (allocation) => allocation.id === victim?.accessTypeId,
    )?.userRef;
    expect(userRef).toBeDefined();
    // The allocation lists still name the user; the user table no longer has it.
    const listAllocations = qrs.listAllocations.bind(qrs);
    const removing: typeof qrs = Object.create(qrs);
    let lists = 0;
    removing.listAllocations = async (...args) => {
      const list = await listAllocations(...args);
      if (++lists === 2) sim.site.users.delete(userRef as string);
      return list;
    };
    sim.resetCounters();

    const plan = await fetchReleasePlan(removing, policy, now, { userPageSize: 1_000 });

    expect(sim.requestCount(TABLE)).toBeGreaterThan(0);
    expect(plan.candidates.map((item) => item.accessTypeId)).not.toContain(victim?.accessTypeId);
    const kept = plan.kept.find((item) => item.accessTypeId === victim?.accessTypeId);
    expect(kept).toMatchObject({ reason: 'no-user' });
    expect(kept?.detail).toMatch(/no user record .* kept on doubt/);
  });

  it('falls back to id batches when QRS does not answer the table request', async () => {
    const { sim, qrs, now } = await site(3_000);
    sim.faults.push({ method: 'POST', route: '/qrs/user/table', status: 404 });
    const policy = releasePolicy(releaseConfig({ ...RULES, maxReleasesPerRun: 100_000 }));

    const plan = await fetchReleasePlan(qrs, policy, now, { userPageSize: 1_000 });

    expect(plan.candidates.length).toBeGreaterThan(1_000);
    expect(sim.requestCount(BY_IDS)).toBeGreaterThan(10);
  });
});

describe('user table rows → user records', () => {
  const wanted = new Set(['u1', 'u2']);

  it('reads list cells as sub-rows or as objects, and skips users not asked for', () => {
    const { users, invalid } = usersFromTable(
      {
        columnNames: ['id', 'userId', 'userDirectory', 'blacklisted', 'tags', 'customProperties'],
        rows: [
          ['U1', 'ann', 'LAB', false, [['keep']], [['no', 'LicenseManage']]],
          ['u2', 'bo', 'LAB', true, [{ name: 'x' }], [{ value: 'v', definition: { name: 'p' } }]],
          ['u3', 'cy', 'LAB', false, [], []],
        ],
      },
      wanted,
    );

    expect(invalid).toEqual([]);
    expect([...users.keys()]).toEqual(['U1', 'u2']);
    expect(users.get('U1')).toMatchObject({
      blacklisted: false,
      tags: [{ name: 'keep' }],
      customProperties: [{ value: 'no', definition: { name: 'LicenseManage' } }],
    });
    expect(users.get('u2')).toMatchObject({
      tags: [{ name: 'x' }],
      customProperties: [{ value: 'v', definition: { name: 'p' } }],
    });
  });

  it('a column QRS did not send leaves the field out (the rules keep on doubt); odd flags are invalid', () => {
    const { users, invalid } = usersFromTable(
      {
        columnNames: ['id', 'userId', 'userDirectory', 'blacklisted', 'tags'],
        rows: [
          ['u1', 'ann', 'LAB', false, []],
          ['u2', 'bo', 'LAB', 'no', []],
        ],
      },
      wanted,
    );

    expect(users.get('u1')).not.toHaveProperty('inactive');
    expect(users.get('u1')).not.toHaveProperty('customProperties');
    expect(invalid).toEqual([{ id: 'u2', problem: expect.stringMatching(/blacklisted/) }]);
  });

  it('reads nested tables, null and absent List cells, in any column order', () => {
    const { users, invalid } = usersFromTable(
      {
        columnNames: ['customProperties', 'tags', 'userDirectory', 'userId', 'id'],
        rows: [
          [
            { columnNames: ['definition.name', 'value'], rows: [['LicenseManage', 'no']] },
            { columnNames: ['name'], rows: [['keep']] },
            'LAB',
            'ann',
            'u1',
          ],
          [null, undefined, 'LAB', 'bo', 'u2'],
        ],
      },
      wanted,
    );

    expect(invalid).toEqual([]);
    expect(users.get('u1')).toMatchObject({
      userId: 'ann',
      tags: [{ name: 'keep' }],
      customProperties: [{ value: 'no', definition: { name: 'LicenseManage' } }],
    });
    expect(users.get('u2')).toMatchObject({ tags: [], customProperties: [] });
  });

  it.each([
    ['a string', 'not a list'],
    ['bare strings', ['keep']],
    ['a number in a sub-row', [[7]]],
    ['an object without the name', [{ label: 'keep' }]],
    ['a nested table without the name column', { columnNames: ['id'], rows: [['x']] }],
  ])('a List cell holding %s makes the whole table unusable', (_, cell) => {
    const table = {
      columnNames: ['id', 'userId', 'userDirectory', 'tags'],
      rows: [['u9', 'x', 'LAB', cell]],
    };

    // Even a row the plan does not need: the form says how the server sends every row.
    expect(() => usersFromTable(table, wanted, undefined, () => {})).toThrow(UserTableShapeError);
  });
});
