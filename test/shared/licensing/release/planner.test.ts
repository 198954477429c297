import { describe, expect, it } from 'vitest';
import { planRelease, releasePolicy } from '#shared/licensing/release/planner.ts';
import type { KeepReason } from '#shared/licensing/release/types.ts';
import { type Allocation, normaliseAllocations } from '#shared/qrs/allocation.ts';
import type { QrsUser } from '#shared/qrs/schemas.ts';
import {
  ago,
  daysAgo,
  NOW,
  releaseConfig,
  testAllocation,
  testUser,
} from '#test/support/release.ts';
import { DAY_MS, MINUTE_MS } from '#test/support/time.ts';

const NO_DATE = '1753-01-01T00:00:00.000Z';
const THRESHOLD_MS = 30 * DAY_MS;

interface Case {
  name: string;
  allocation?: Partial<Allocation>;
  /** Overrides of the user record; `missing`: QRS returns no record for the user. */
  user?: Partial<QrsUser> | 'missing';
  rules?: Record<string, unknown>;
  expected: 'release' | KeepReason;
}

/** One allocation, judged alone with the default 30-day thresholds. */
function judge(testCase: Case) {
  const overrides = testCase.user === 'missing' ? {} : (testCase.user ?? {});
  const { record, allocationUser } = testUser(overrides);
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete record[key];
  const allocation = testAllocation({ user: allocationUser, ...testCase.allocation });
  const users = new Map<string, QrsUser>(testCase.user === 'missing' ? [] : [[record.id, record]]);
  const plan = planRelease({
    allocations: [allocation],
    policy: releasePolicy(releaseConfig(testCase.rules ? { neverRelease: testCase.rules } : {})),
    now: NOW,
    users,
  });
  return { plan, allocation };
}

const outcome = (plan: ReturnType<typeof judge>['plan']) =>
  plan.candidates.length === 1 ? 'release' : plan.kept[0]?.reason;

const dates: Case[] = [
  {
    name: 'exactly at the threshold',
    allocation: { lastUsed: ago(THRESHOLD_MS) },
    expected: 'release',
  },
  {
    name: 'one minute inside the threshold',
    allocation: { lastUsed: ago(THRESHOLD_MS - MINUTE_MS) },
    expected: 'active',
  },
  {
    name: 'one minute past the threshold',
    allocation: { lastUsed: ago(THRESHOLD_MS + MINUTE_MS) },
    expected: 'release',
  },
  {
    name: 'never used (1753), allocated long ago: judged by createdDate',
    allocation: { lastUsed: NO_DATE, createdDate: daysAgo(90) },
    expected: 'release',
  },
  {
    name: 'never used (1753), allocated yesterday: not inactive',
    allocation: { lastUsed: NO_DATE, createdDate: daysAgo(1) },
    expected: 'active',
  },
  {
    name: 'lastUsed null, allocated long ago',
    allocation: { lastUsed: null, createdDate: daysAgo(90) },
    expected: 'release',
  },
  {
    name: 'lastUsed null, allocated 29 days 23 hours ago',
    allocation: { lastUsed: null, createdDate: ago(THRESHOLD_MS - 60 * MINUTE_MS) },
    expected: 'active',
  },
  {
    name: 'no lastUsed and no createdDate',
    allocation: { lastUsed: null, createdDate: null },
    expected: 'no-date',
  },
  {
    name: 'both dates are the 1753 sentinel',
    allocation: { lastUsed: NO_DATE, createdDate: NO_DATE },
    expected: 'no-date',
  },
  {
    name: 'lastUsed is not a date (never falls back to createdDate)',
    allocation: { lastUsed: 'yesterday', createdDate: daysAgo(400) },
    expected: 'no-date',
  },
  {
    name: 'never used and createdDate is not a date',
    allocation: { lastUsed: NO_DATE, createdDate: '31/12/2020' },
    expected: 'no-date',
  },
  {
    name: 'lastUsed in the future',
    allocation: { lastUsed: new Date(NOW.getTime() + DAY_MS).toISOString() },
    expected: 'active',
  },
  {
    name: 'lastUsed far in the future, allocation old',
    allocation: { lastUsed: '9999-12-31T00:00:00.000Z', createdDate: daysAgo(900) },
    expected: 'active',
  },
];

const allocationState: Case[] = [
  { name: 'quarantined', allocation: { quarantined: true }, expected: 'quarantined' },
  {
    name: 'quarantined wins over every later rule',
    allocation: { quarantined: true, user: null, lastUsed: null, createdDate: null },
    expected: 'quarantined',
  },
  {
    name: 'quarantined flag unreadable',
    allocation: { quarantined: null, problems: { quarantined: 'quarantined: expected boolean' } },
    expected: 'quarantined',
  },
  { name: 'quarantined false', allocation: { quarantined: false }, expected: 'release' },
  {
    name: 'quarantined flag absent (doubt)',
    allocation: { quarantined: null },
    expected: 'quarantined',
  },
  { name: 'no user on the allocation', allocation: { user: null }, expected: 'no-user' },
  {
    name: 'no user wins over no date',
    allocation: { user: null, lastUsed: null, createdDate: null },
    expected: 'no-user',
  },
  {
    name: 'user record not returned by QRS (rules need it)',
    user: 'missing',
    rules: { tag: ['x'] },
    expected: 'no-user',
  },
  {
    name: 'user record not needed when no rule reads it',
    user: 'missing',
    expected: 'release',
  },
];

const protections: Case[] = [
  {
    name: 'user rule, same case',
    user: { userDirectory: 'INTERNAL', userId: 'sa_repository' },
    rules: { user: [{ userDir: 'INTERNAL', userId: 'sa_repository' }] },
    expected: 'protected:user',
  },
  {
    name: 'user rule, other case',
    user: { userDirectory: 'internal', userId: 'SA_Repository' },
    rules: { user: [{ userDir: 'INTERNAL', userId: 'sa_repository' }] },
    expected: 'protected:user',
  },
  {
    name: 'user rule needs both directory and id',
    user: { userDirectory: 'LAB', userId: 'sa_repository' },
    rules: { user: [{ userDir: 'INTERNAL', userId: 'sa_repository' }] },
    expected: 'release',
  },
  {
    name: 'userDirectory rule, lower case in config',
    user: { userDirectory: 'ADMIN' },
    rules: { userDirectory: ['admin'] },
    expected: 'protected:userDirectory',
  },
  {
    name: 'userDirectory rule, upper case in config',
    user: { userDirectory: 'admin' },
    rules: { userDirectory: ['ADMIN'] },
    expected: 'protected:userDirectory',
  },
  {
    name: 'tag rule, other case',
    user: { tags: [{ name: 'LICENSE DO NOT RELEASE' }] },
    rules: { tag: ['License do not release'] },
    expected: 'protected:tag',
  },
  {
    name: 'tag rule, lower case',
    user: { tags: [{ name: 'Finance' }, { name: 'license do not release' }] },
    rules: { tag: ['License Do Not Release'] },
    expected: 'protected:tag',
  },
  {
    name: 'tag rule, user record without a tags list (doubt)',
    user: { tags: undefined },
    rules: { tag: ['License do not release'] },
    expected: 'protected:tag',
  },
  {
    name: 'customProperty rule, user record without a customProperties list (doubt)',
    user: { customProperties: undefined },
    rules: { customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }] },
    expected: 'protected:customProperty',
  },
  {
    name: 'tag rule, other tags only',
    user: { tags: [{ name: 'Finance' }] },
    rules: { tag: ['License do not release'] },
    expected: 'release',
  },
  {
    name: 'customProperty rule, other case in name and value',
    user: {
      customProperties: [{ value: 'DO-NOT-RELEASE', definition: { name: 'licensemanage' } }],
    },
    rules: { customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }] },
    expected: 'protected:customProperty',
  },
  {
    name: 'customProperty rule, same name other value',
    user: { customProperties: [{ value: 'release-me', definition: { name: 'LicenseManage' } }] },
    rules: { customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }] },
    expected: 'release',
  },
  {
    name: 'customProperty rule, value under another property',
    user: {
      customProperties: [
        { value: 'x', definition: { name: 'LicenseManage' } },
        { value: 'do-not-release', definition: { name: 'Department' } },
      ],
    },
    rules: { customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }] },
    expected: 'release',
  },
  {
    name: 'user before userDirectory before tag (first rule wins)',
    user: { userDirectory: 'INTERNAL', userId: 'sa_x', tags: [{ name: 'keep' }] },
    rules: {
      user: [{ userDir: 'internal', userId: 'SA_X' }],
      userDirectory: ['INTERNAL'],
      tag: ['keep'],
    },
    expected: 'protected:user',
  },
  {
    name: 'userDirectory before tag',
    user: { userDirectory: 'INTERNAL', tags: [{ name: 'keep' }] },
    rules: { userDirectory: ['INTERNAL'], tag: ['keep'] },
    expected: 'protected:userDirectory',
  },
  {
    name: 'tag before customProperty before flags',
    user: {
      tags: [{ name: 'keep' }],
      customProperties: [{ value: 'v', definition: { name: 'p' } }],
      blacklisted: true,
    },
    rules: { tag: ['keep'], customProperty: [{ name: 'p', value: 'v' }], blocked: 'Yes' },
    expected: 'protected:tag',
  },
  {
    name: 'customProperty before flags',
    user: { customProperties: [{ value: 'v', definition: { name: 'p' } }], inactive: true },
    rules: { customProperty: [{ name: 'p', value: 'v' }], inactive: 'Yes' },
    expected: 'protected:customProperty',
  },
  {
    name: 'inactive before blocked before removedExternally',
    user: { inactive: true, blacklisted: true, removedExternally: true },
    rules: { inactive: 'Yes', blocked: 'Yes', removedExternally: 'Yes' },
    expected: 'protected:inactive',
  },
  {
    name: 'active wins over protection (rule order)',
    allocation: { lastUsed: daysAgo(2) },
    user: { tags: [{ name: 'keep' }] },
    rules: { tag: ['keep'] },
    expected: 'active',
  },
  {
    name: 'empty rule lists',
    rules: { user: [], tag: [], customProperty: [], userDirectory: [] },
    expected: 'release',
  },
  {
    name: 'null rule lists (empty YAML keys)',
    rules: { user: null, tag: null, customProperty: null, userDirectory: null },
    expected: 'release',
  },
  { name: 'no neverRelease block at all', expected: 'release' },
];

const FLAGS = [
  { rule: 'inactive', field: 'inactive', reason: 'protected:inactive' },
  { rule: 'blocked', field: 'blacklisted', reason: 'protected:blocked' },
  { rule: 'removedExternally', field: 'removedExternally', reason: 'protected:removedExternally' },
] as const;

const flagCases: Case[] = FLAGS.flatMap(({ rule, field, reason }) =>
  (
    [
      ['Yes', true, reason],
      ['Yes', false, 'release'],
      ['Yes', undefined, reason],
      ['No', false, reason],
      ['No', true, 'release'],
      ['No', undefined, reason],
      ['Ignore', true, 'release'],
      ['Ignore', false, 'release'],
      ['Ignore', undefined, 'release'],
      ['yes', true, reason],
      ['NO', false, reason],
      [true, true, reason],
      [false, false, reason],
    ] as const
  ).map(([value, flag, expected]): Case => {
    // `undefined`: the key is left out of the record (see judge), as when QRS does not send it.
    const user: Partial<QrsUser> = { [field]: flag };
    return {
      name: `${rule}: ${String(value)} with ${field} ${flag === undefined ? 'missing' : flag}`,
      user,
      rules: { [rule]: value },
      expected,
    };
  }),
);

describe('planRelease: one allocation against each rule', () => {
  it.each([...dates, ...allocationState, ...protections, ...flagCases])(
    '$name → $expected',
    (testCase) => {
      const { plan } = judge(testCase);

      expect(plan.candidates.length + plan.kept.length).toBe(1);
      expect(outcome(plan)).toBe(testCase.expected);
    },
  );

  it('explains a kept allocation in `detail`', () => {
    const { plan } = judge({
      name: 'missing flag',
      user: { blacklisted: undefined },
      rules: { blocked: 'No' },
      expected: 'protected:blocked',
    });
    expect(plan.kept[0]?.detail).toMatch(/no blacklisted flag/);
  });
});

describe('planRelease: the shape of an allocation in the output', () => {
  it('reports A with lastActivity and whole inactive days', () => {
    const { record, allocationUser } = testUser({ userDirectory: 'LAB', userId: 'anna' });
    const allocation = testAllocation({
      licenseType: 'analyzer',
      user: allocationUser,
      lastUsed: ago(45 * DAY_MS + 5 * 3_600_000),
    });
    const plan = planRelease({
      allocations: [allocation],
      policy: releasePolicy(releaseConfig()),
      now: NOW,
      users: new Map([[record.id, record]]),
    });
    expect(plan.candidates).toEqual([
      {
        accessTypeId: allocation.id,
        licenseType: 'analyzer',
        userDirectory: 'LAB',
        userId: 'anna',
        lastActivity: allocation.lastUsed,
        inactiveDays: 45,
      },
    ]);
  });

  it('uses createdDate as lastActivity for a never-used allocation', () => {
    const allocation = testAllocation({ lastUsed: NO_DATE, createdDate: daysAgo(61) });
    const plan = planRelease({
      allocations: [allocation],
      policy: releasePolicy(releaseConfig()),
      now: NOW,
      users: new Map(),
    });
    expect(plan.candidates[0]).toMatchObject({
      lastActivity: allocation.createdDate,
      inactiveDays: 61,
    });
  });

  it('reports no date as null', () => {
    const allocation = testAllocation({ lastUsed: null, createdDate: null });
    const plan = planRelease({
      allocations: [allocation],
      policy: releasePolicy(releaseConfig()),
      now: NOW,
      users: new Map(),
    });
    expect(plan.kept[0]).toMatchObject({
      reason: 'no-date',
      lastActivity: null,
      inactiveDays: null,
    });
  });
});

describe('planRelease: a neverRelease block written as an empty YAML key', () => {
  it('treats `neverRelease: null` as no protection rules', () => {
    const allocation = testAllocation();
    const plan = planRelease({
      allocations: [allocation],
      policy: releasePolicy(releaseConfig({ neverRelease: null })),
      now: NOW,
      users: new Map(),
    });
    expect(plan.candidates.map((item) => item.accessTypeId)).toEqual([allocation.id]);
  });
});

describe('planRelease: thresholds and license types', () => {
  it('applies each type its own threshold', () => {
    const professional = testAllocation({ licenseType: 'professional', lastUsed: daysAgo(45) });
    const analyzer = testAllocation({ licenseType: 'analyzer', lastUsed: daysAgo(45) });
    const plan = planRelease({
      allocations: [professional, analyzer],
      policy: releasePolicy(
        releaseConfig({
          licenseType: {
            professional: { releaseThresholdDays: 60 },
            analyzer: { releaseThresholdDays: 30 },
          },
        }),
      ),
      now: NOW,
      users: new Map(),
    });
    expect(plan.candidates.map((item) => item.accessTypeId)).toEqual([analyzer.id]);
    expect(plan.kept).toMatchObject([{ accessTypeId: professional.id, reason: 'active' }]);
  });

  it('does not judge a disabled license type', () => {
    const analyzer = testAllocation({ licenseType: 'analyzer', lastUsed: daysAgo(400) });
    const plan = planRelease({
      allocations: [analyzer],
      policy: releasePolicy(releaseConfig({ licenseType: { analyzer: { enable: false } } })),
      now: NOW,
      users: new Map(),
    });
    expect(plan.candidates).toEqual([]);
    expect(plan.kept).toEqual([]);
  });
});

describe('planRelease: maxReleasesPerRun', () => {
  it('releases the longest-inactive first across both types; the rest are kept as cap', () => {
    const byDays = (days: number, licenseType: 'professional' | 'analyzer') =>
      testAllocation({ licenseType, lastUsed: daysAgo(days) });
    const allocations = [
      byDays(40, 'professional'),
      byDays(400, 'analyzer'),
      byDays(90, 'professional'),
      byDays(200, 'professional'),
      byDays(35, 'analyzer'),
    ];
    const plan = planRelease({
      allocations,
      policy: releasePolicy(releaseConfig({ maxReleasesPerRun: 2 })),
      now: NOW,
      users: new Map(),
    });
    expect(plan.candidates.map((item) => item.inactiveDays)).toEqual([400, 200]);
    expect(plan.kept.map((item) => [item.inactiveDays, item.reason])).toEqual([
      [90, 'cap'],
      [40, 'cap'],
      [35, 'cap'],
    ]);
  });

  it('counts the cap after the protections', () => {
    const tagged = testUser({ tags: [{ name: 'keep' }] });
    const plain = testUser();
    const allocations = [
      testAllocation({ user: tagged.allocationUser, lastUsed: daysAgo(500) }),
      testAllocation({ user: plain.allocationUser, lastUsed: daysAgo(100) }),
    ];
    const plan = planRelease({
      allocations,
      policy: releasePolicy(
        releaseConfig({ maxReleasesPerRun: 1, neverRelease: { tag: ['keep'] } }),
      ),
      now: NOW,
      users: new Map([
        [tagged.record.id, tagged.record],
        [plain.record.id, plain.record],
      ]),
    });
    expect(plan.candidates.map((item) => item.inactiveDays)).toEqual([100]);
    expect(plan.kept.map((item) => item.reason)).toEqual(['protected:tag']);
  });

  it('gives a protected allocation past the cap its protection as reason, not cap', () => {
    const tagged = testUser({ tags: [{ name: 'keep' }] });
    const blocked = testUser({ blacklisted: true });
    const plain = testUser();
    const allocations = [
      testAllocation({ user: plain.allocationUser, lastUsed: daysAgo(500) }),
      testAllocation({ user: tagged.allocationUser, lastUsed: daysAgo(300) }),
      testAllocation({ user: blocked.allocationUser, lastUsed: daysAgo(200) }),
      testAllocation({ user: testUser().allocationUser, lastUsed: daysAgo(100) }),
    ];
    const plan = planRelease({
      allocations,
      policy: releasePolicy(
        releaseConfig({ maxReleasesPerRun: 1, neverRelease: { tag: ['keep'], blocked: 'Yes' } }),
      ),
      now: NOW,
      users: new Map([tagged, blocked, plain].map((u) => [u.record.id, u.record])),
    });
    expect(plan.candidates.map((item) => item.inactiveDays)).toEqual([500]);
    expect(plan.kept.map((item) => [item.inactiveDays, item.reason])).toEqual([
      [300, 'protected:tag'],
      [200, 'protected:blocked'],
      [100, 'no-user'],
    ]);
  });
});

describe('planRelease at scale', () => {
  // Its speed is measured by `npm run bench`, not asserted here (a timer fails on a busy machine).
  it('plans 50,000 allocations with every rule kind: the cap filled, every allocation accounted for', () => {
    const users = new Map<string, QrsUser>();
    const allocations: Allocation[] = [];
    for (let i = 0; i < 50_000; i++) {
      const { record, allocationUser } = testUser({
        userId: `user${i}`,
        userDirectory: i % 10 === 0 ? 'ADMIN' : 'LAB',
        tags: i % 7 === 0 ? [{ name: 'Keep' }] : [{ name: 'Finance' }],
      });
      users.set(record.id, record);
      allocations.push(
        testAllocation({
          licenseType: i % 2 ? 'analyzer' : 'professional',
          user: allocationUser,
          lastUsed: daysAgo(i % 365),
        }),
      );
    }
    const policy = releasePolicy(
      releaseConfig({
        maxReleasesPerRun: 1000,
        neverRelease: {
          user: Array.from({ length: 500 }, (_, i) => ({ userDir: 'LAB', userId: `user${i * 3}` })),
          userDirectory: ['admin', 'internal'],
          tag: ['keep', 'vip', 'board'],
          customProperty: [{ name: 'LicenseManage', value: 'do-not-release' }],
          blocked: 'Yes',
        },
      }),
    );

    const plan = planRelease({ allocations, policy, now: NOW, users });

    expect(plan.candidates).toHaveLength(1000);
    expect(plan.candidates.length + plan.kept.length).toBe(50_000);
    const released = new Set(plan.candidates.map((item) => item.userId));
    expect([...released].some((userId) => Number(userId?.slice(4)) % 10 === 0)).toBe(false);
    expect(plan.kept.filter((item) => item.reason === 'cap').length).toBeGreaterThan(0);
  });
});

describe('an allocation of a deleted user', () => {
  it('is kept as no-user, naming the deleted user QRS kept on it', () => {
    const allocation = testAllocation({
      user: null,
      deletedUser: { userDirectory: 'LAB', userId: 'olle' },
    });

    const plan = planRelease({
      allocations: [allocation],
      policy: releasePolicy(releaseConfig()),
      now: NOW,
      users: new Map(),
    });

    expect(plan.kept).toEqual([
      expect.objectContaining({
        reason: 'no-user',
        userId: null,
        detail:
          "the allocation's user LAB\\olle was deleted from the repository (deletedUserDirectory, deletedUserId)",
      }),
    ]);
  });
});

describe('deletedUserDirectory and deletedUserId as QRS sends them', () => {
  it('become deletedUser when both are set; the empty strings of a living user are no one', () => {
    const { allocations } = normaliseAllocations(
      [
        {
          id: 'a1',
          quarantined: false,
          user: null,
          deletedUserId: 'olle',
          deletedUserDirectory: 'LAB',
        },
        { id: 'a2', quarantined: false, user: null, deletedUserId: '', deletedUserDirectory: '' },
        // An odd item (a numeric date) takes the schema path: the same answer.
        { id: 'a3', lastUsed: 7, user: null, deletedUserId: 'per', deletedUserDirectory: 'LAB' },
      ],
      'analyzer',
    );

    expect(allocations.map((allocation) => allocation.deletedUser)).toEqual([
      { userDirectory: 'LAB', userId: 'olle' },
      null,
      { userDirectory: 'LAB', userId: 'per' },
    ]);
  });
});
