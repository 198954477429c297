/**
 * The data of a simulated Qlik Sense site: users, Professional/Analyzer allocations and the
 * license, in the shapes of Qlik's QRS spec (38.22.0). Both the sample site of the demo and the
 * seeded generator of large sites for tests and benchmarks build on it.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS } from '#test/support/time.ts';

/** QRS's "no date" (`DateTime.MinValue` in SQL Server terms). */
export const NO_DATE = '1753-01-01T00:00:00.000Z';

/** `userAccess`: a user access pass of a token site (`/qrs/license/useraccesstype`). */
export type SimLicenseType = 'professional' | 'analyzer' | 'userAccess';

export interface SimUser {
  id: string;
  userId: string;
  userDirectory: string;
  name: string;
  createdDate: string;
  inactive: boolean;
  blacklisted: boolean;
  removedExternally: boolean;
  tags: string[];
  customProperties: Array<{ name: string; value: string }>;
}

export interface SimAllocation {
  id: string;
  licenseType: SimLicenseType;
  createdDate: string;
  lastUsed: string;
  excess: boolean;
  quarantined: boolean;
  quarantineEnd: string;
  /** `null`: the user was deleted (QRS then keeps `deletedUserId`/`deletedUserDirectory`). */
  userRef: string | null;
  deletedUserId: string;
  deletedUserDirectory: string;
}

export interface SimLicense {
  /** Serial + control number with a LEF, or a signed license key (newer sites). */
  model: 'lef' | 'signedKey';
  /** LEF text (lines joined with CRLF as QRS returns them) or the signed key's details text. */
  text: string;
  serial: string;
}

export interface SimSite {
  name: string;
  users: Map<string, SimUser>;
  allocations: Map<string, SimAllocation>;
  license: SimLicense;
  totals: { professional: number; analyzer: number };
  /** `null` blocks are left out of the overview, as older servers do. */
  analyzerCapacity: {
    allocatedMinutes: number;
    usedMinutes: number;
    unavailableMinutes: number;
  } | null;
  /**
   * A token site (Professional and Analyzer then report `enabled: false`), QRS's token blocks.
   * When the site holds user access passes, the `userAccess` numbers and `available` are counted
   * from them instead (so a release shows in the overview).
   */
  tokens: {
    total: number;
    available: number;
    /** `tokenCost` defaults to QRS's 1 token per user access pass. */
    userAccess: {
      allocatedTokens: number;
      usedTokens: number;
      quarantinedTokens: number;
      tokenCost?: number;
    };
    /** `tokenCost` defaults to QRS's 0.1 token per login access pass. */
    loginAccess: {
      allocatedTokens: number;
      usedTokens: number;
      unavailableTokens: number;
      tokenCost?: number;
    };
  } | null;
  /** Old servers (before analyzer capacity) send no `analyzerTimeAccess` block. */
  oldServer: boolean;
  /** Tags that exist but no user carries (`/qrs/tag`). */
  extraTags?: string[];
  /**
   * Custom property definitions as declared in the QMC; without one, a property name users carry
   * is a definition whose choices are the values they use.
   */
  propertyDefinitions?: Array<{ name: string; choiceValues: string[]; objectTypes?: string[] }>;
}

export function lefText(lines: string[]): string {
  return lines.join('\r\n');
}

/** A P/A LEF like Qlik's own example, with the given counts and time limit (YYYY-MM-DD or ''). */
export function professionalAnalyzerLef(
  professional: number,
  analyzer: number,
  timeLimit: string,
): string {
  return lefText([
    '9999000000001277',
    'PURPOSE;2001 Sense P/A Key;;',
    `PRODUCTLEVEL;50;;${timeLimit}`,
    `TIMELIMIT;;;${timeLimit}`,
    'OVERAGE;NO;;',
    `PROFESSIONAL;${professional};;`,
    `ANALYZER;${analyzer};;`,
    'GEOANALYTICS;YES;;',
    'KZW3-CQ8K-9E5U-L894-WXYZ',
  ]);
}

export function emptySite(name: string, now: Date): SimSite {
  const expiry = new Date(now.getTime() + 200 * DAY_MS).toISOString().slice(0, 10);
  return {
    name,
    users: new Map(),
    allocations: new Map(),
    license: {
      model: 'lef',
      serial: '9999000000001277',
      text: professionalAnalyzerLef(100, 100, expiry),
    },
    totals: { professional: 100, analyzer: 100 },
    analyzerCapacity: null,
    tokens: null,
    oldServer: false,
  };
}

export function addUser(
  site: SimSite,
  user: Partial<SimUser> & Pick<SimUser, 'userId' | 'userDirectory'>,
): SimUser {
  const full: SimUser = {
    id: randomUUID(),
    name: user.userId,
    createdDate: '2021-01-04T08:00:00.000Z',
    inactive: false,
    blacklisted: false,
    removedExternally: false,
    tags: [],
    customProperties: [],
    ...user,
  };
  site.users.set(full.id, full);
  return full;
}

export function addAllocation(
  site: SimSite,
  allocation: Partial<SimAllocation> & Pick<SimAllocation, 'licenseType' | 'userRef'>,
): SimAllocation {
  const full: SimAllocation = {
    id: randomUUID(),
    createdDate: '2022-01-10T09:00:00.000Z',
    lastUsed: NO_DATE,
    excess: false,
    quarantined: false,
    quarantineEnd: NO_DATE,
    deletedUserId: '',
    deletedUserDirectory: '',
    ...allocation,
  };
  site.allocations.set(full.id, full);
  return full;
}

const daysAgo = (now: Date, days: number): string =>
  new Date(now.getTime() - days * DAY_MS).toISOString();

/**
 * The demo site: a dozen users whose allocations show every way license-steward decides
 * (inactive, active, never used, quarantined, protected by each kind of rule, deleted user).
 */
export function createSampleSite(now: Date = new Date()): SimSite {
  const site = emptySite('sample', now);
  site.totals = { professional: 10, analyzer: 20 };
  site.license.text = professionalAnalyzerLef(
    10,
    20,
    new Date(now.getTime() + 45 * DAY_MS).toISOString().slice(0, 10),
  );
  site.analyzerCapacity = { allocatedMinutes: 700, usedMinutes: 212, unavailableMinutes: 0 };
  const people: Array<{
    userId: string;
    userDirectory?: string;
    type: SimLicenseType;
    lastUsedDaysAgo: number | null;
    createdDaysAgo?: number;
    user?: Partial<SimUser>;
    quarantined?: boolean;
  }> = [
    { userId: 'anna', type: 'professional', lastUsedDaysAgo: 2 },
    { userId: 'bertil', type: 'professional', lastUsedDaysAgo: 64 },
    { userId: 'cecilia', type: 'professional', lastUsedDaysAgo: 190 },
    {
      userId: 'david',
      type: 'professional',
      lastUsedDaysAgo: 45,
      user: { tags: ['License do not release'] },
    },
    {
      userId: 'sa_repository',
      userDirectory: 'INTERNAL',
      type: 'professional',
      lastUsedDaysAgo: 400,
    },
    { userId: 'erik', type: 'analyzer', lastUsedDaysAgo: 31 },
    { userId: 'frida', type: 'analyzer', lastUsedDaysAgo: 12 },
    { userId: 'gustav', type: 'analyzer', lastUsedDaysAgo: null, createdDaysAgo: 90 },
    { userId: 'hanna', type: 'analyzer', lastUsedDaysAgo: null, createdDaysAgo: 1 },
    {
      userId: 'ivar',
      type: 'analyzer',
      lastUsedDaysAgo: 120,
      user: { customProperties: [{ name: 'LicenseManage', value: 'do-not-release' }] },
    },
    { userId: 'johanna', type: 'analyzer', lastUsedDaysAgo: 5, quarantined: true },
    { userId: 'karl', type: 'analyzer', lastUsedDaysAgo: 75, user: { blacklisted: true } },
    { userId: 'admin1', userDirectory: 'ADMIN', type: 'analyzer', lastUsedDaysAgo: 300 },
  ];
  for (const person of people) {
    const user = addUser(site, {
      userId: person.userId,
      userDirectory: person.userDirectory ?? 'LAB',
      name: person.userId[0]?.toUpperCase() + person.userId.slice(1),
      ...person.user,
    });
    addAllocation(site, {
      licenseType: person.type,
      userRef: user.id,
      createdDate: daysAgo(now, person.createdDaysAgo ?? 500),
      lastUsed: person.lastUsedDaysAgo === null ? NO_DATE : daysAgo(now, person.lastUsedDaysAgo),
      quarantined: person.quarantined ?? false,
      quarantineEnd: person.quarantined ? daysAgo(now, -5) : NO_DATE,
    });
  }
  // A user deleted from the repository three days after last using Qlik Sense: QRS keeps the
  // allocation in quarantine (with the deleted user's name) for 7 days, then frees it.
  addAllocation(site, {
    licenseType: 'analyzer',
    userRef: null,
    deletedUserId: 'olle',
    deletedUserDirectory: 'LAB',
    createdDate: daysAgo(now, 700),
    lastUsed: daysAgo(now, 3),
    quarantined: true,
    quarantineEnd: daysAgo(now, -4),
  });
  return site;
}

/** mulberry32: a small seeded PRNG, so a generated site is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A UUID from the seeded PRNG (crypto.randomUUID cannot be seeded). */
function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface GenerateOptions {
  allocations: number;
  seed?: number;
  now?: Date;
  /** Share of allocations that are Professional (the rest Analyzer). */
  professionalShare?: number;
  name?: string;
  /**
   * The first user is INTERNAL\sa_repository, as on every real site (a `neverRelease.user` rule
   * naming it then names a user QRS has); the site is otherwise the same.
   */
  serviceAccount?: boolean;
}

/**
 * A large site with a realistic spread: about a third active in the last month, a third idle for
 * one to twelve months, a tenth never used, a few quarantined; users in several directories, some
 * tagged, some with the custom property, some blocked, inactive or removed externally.
 */
export function generateSite(options: GenerateOptions): SimSite {
  const random = seededRandom(options.seed ?? 42);
  const now = options.now ?? new Date();
  const site = emptySite(options.name ?? `generated-${options.allocations}`, now);
  const professionalShare = options.professionalShare ?? 0.5;
  const professionalCount = Math.round(options.allocations * professionalShare);
  site.totals = {
    professional: Math.ceil(professionalCount * 1.05),
    analyzer: Math.ceil((options.allocations - professionalCount) * 1.05),
  };
  site.license.text = professionalAnalyzerLef(site.totals.professional, site.totals.analyzer, '');
  const directories = ['LAB', 'LAB', 'LAB', 'LAB', 'CORP', 'CORP', 'EXT', 'ADMIN'];
  for (let i = 0; i < options.allocations; i++) {
    const roll = random();
    const user: SimUser = {
      id: seededUuid(random),
      userId: `user${String(i).padStart(6, '0')}`,
      userDirectory: directories[Math.floor(random() * directories.length)] as string,
      name: `User ${i}`,
      createdDate: daysAgo(now, 400 + Math.floor(random() * 1000)),
      inactive: random() < 0.03,
      blacklisted: random() < 0.01,
      removedExternally: random() < 0.02,
      tags: random() < 0.03 ? ['License do not release'] : random() < 0.2 ? ['Finance'] : [],
      customProperties:
        random() < 0.02
          ? [{ name: 'LicenseManage', value: 'do-not-release' }]
          : random() < 0.3
            ? [{ name: 'Department', value: 'Sales' }]
            : [],
    };
    site.users.set(user.id, user);
    const neverUsed = roll < 0.1;
    const lastUsedDays =
      roll < 0.45 ? random() * 30 : roll < 0.8 ? 30 + random() * 335 : 365 + random() * 700;
    const allocation: SimAllocation = {
      id: seededUuid(random),
      licenseType: i < professionalCount ? 'professional' : 'analyzer',
      createdDate: daysAgo(now, neverUsed ? random() * 400 : 400 + random() * 700),
      lastUsed: neverUsed ? NO_DATE : daysAgo(now, lastUsedDays),
      excess: false,
      quarantined: random() < 0.02,
      quarantineEnd: NO_DATE,
      userRef: user.id,
      deletedUserId: '',
      deletedUserDirectory: '',
    };
    if (allocation.quarantined) allocation.quarantineEnd = daysAgo(now, -3);
    site.allocations.set(allocation.id, allocation);
  }
  const first = site.users.values().next().value;
  if (options.serviceAccount && first)
    Object.assign(first, {
      userId: 'sa_repository',
      userDirectory: 'INTERNAL',
      name: 'sa_repository',
    });
  return site;
}
