/**
 * Token sites (the licence model before Professional/Analyzer): user access passes at one token
 * each, login access passes, and a LEF whose `TOKENS` line sets the pool. A seeded generator, like
 * `generateSite` for Professional/Analyzer sites, for tests, the demo and benchmarks.
 */

import { DAY_MS } from '#test/support/time.ts';
import {
  emptySite,
  lefText,
  NO_DATE,
  type SimAllocation,
  type SimSite,
  seededRandom,
} from './site.ts';

/** A token LEF like Qlik's own example: `TOKENS;<n>`, and a time limit (YYYY-MM-DD or ''). */
export function tokenLef(tokens: number, timeLimit: string): string {
  return lefText([
    '9999000000001292',
    'PURPOSE;2001 Sense Token Key;;',
    `PRODUCTLEVEL;40;;${timeLimit}`,
    `TIMELIMIT;;;${timeLimit}`,
    `TOKENS;${tokens};;`,
    'Z8D9-SZYD-J5RR-D86G-ABCD',
  ]);
}

export interface TokenSiteOptions {
  /** User access passes to hand out. */
  passes: number;
  /** Tokens the LEF grants; default: the passes plus 20 % and the login access tokens. */
  lefTokens?: number;
  /** Tokens given to login access passes (QRS's `loginAccess.allocatedTokens`). */
  loginAccessTokens?: number;
  seed?: number;
  now?: Date;
  name?: string;
}

/**
 * A token site with a spread like `generateSite`: about a third of the passes used in the last
 * month, a third idle for one to twelve months, a tenth never used, a few quarantined; users in
 * a few directories, some tagged `License do not release`.
 */
export function generateTokenSite(options: TokenSiteOptions): SimSite {
  const random = seededRandom(options.seed ?? 17);
  const now = options.now ?? new Date();
  const site = emptySite(options.name ?? `tokens-${options.passes}`, now);
  const login = options.loginAccessTokens ?? 10;
  const total = options.lefTokens ?? Math.ceil(options.passes * 1.2) + login;
  const expiry = new Date(now.getTime() + 300 * DAY_MS).toISOString().slice(0, 10);
  site.license.text = tokenLef(total, expiry);
  site.totals = { professional: 0, analyzer: 0 };
  site.tokens = {
    total,
    available: 0,
    userAccess: { allocatedTokens: 0, usedTokens: 0, quarantinedTokens: 0, tokenCost: 1 },
    loginAccess: { allocatedTokens: login, usedTokens: login / 2, unavailableTokens: 0 },
  };
  const directories = ['LAB', 'LAB', 'LAB', 'CORP', 'ADMIN'];
  for (let i = 0; i < options.passes; i++) {
    const roll = random();
    const userId = `pass${String(i).padStart(5, '0')}`;
    const user = {
      id: uuid(random),
      userId,
      userDirectory: directories[Math.floor(random() * directories.length)] as string,
      name: `Pass user ${i}`,
      createdDate: daysAgo(now, 400),
      inactive: false,
      blacklisted: false,
      removedExternally: false,
      tags: random() < 0.05 ? ['License do not release'] : [],
      customProperties: [],
    };
    site.users.set(user.id, user);
    const neverUsed = roll < 0.1;
    const lastUsedDays =
      roll < 0.45 ? random() * 30 : roll < 0.8 ? 30 + random() * 335 : 365 + random() * 700;
    const pass: SimAllocation = {
      id: uuid(random),
      licenseType: 'userAccess',
      createdDate: daysAgo(now, neverUsed ? random() * 400 : 400 + random() * 700),
      lastUsed: neverUsed ? NO_DATE : daysAgo(now, lastUsedDays),
      excess: false,
      quarantined: random() < 0.02,
      quarantineEnd: NO_DATE,
      userRef: user.id,
      deletedUserId: '',
      deletedUserDirectory: '',
    };
    if (pass.quarantined) pass.quarantineEnd = daysAgo(now, -3);
    site.allocations.set(pass.id, pass);
  }
  return site;
}

function daysAgo(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}

function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-b${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
