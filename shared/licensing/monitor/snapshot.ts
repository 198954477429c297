/**
 * One monitoring snapshot of a site: `accesstypeoverview` + `/qrs/license`, exactly two QRS
 * requests, in the `monitor --json` shape of docs/monitor.md. A block the server does not
 * report is `null` (older servers lack some), never a made-up zero.
 */
import type { QrsClient } from '#shared/qrs/client.ts';
import type { AccessTypeOverview, License } from '#shared/qrs/schemas.ts';
import { describeLicense, type LicenseInfo, type LicenseWarning } from './license-info.ts';

export interface AccessTypeUsage {
  enabled: boolean | null;
  total: number | null;
  allocated: number | null;
  used: number | null;
  quarantined: number | null;
  excess: number | null;
  available: number | null;
}

export interface AnalyzerCapacityUsage {
  enabled: boolean | null;
  allocatedMinutes: number | null;
  usedMinutes: number | null;
  unavailableMinutes: number | null;
}

/** QRS's `userAccess` block: tokens spent on user access passes. */
export interface UserAccessTokens {
  tokenCost: number | null;
  allocatedTokens: number | null;
  usedTokens: number | null;
  quarantinedTokens: number | null;
}

/** QRS's `loginAccess` block: tokens spent on login access passes. */
export interface LoginAccessTokens {
  tokenCost: number | null;
  allocatedTokens: number | null;
  usedTokens: number | null;
  unavailableTokens: number | null;
}

export interface TokenUsage {
  enabled: boolean | null;
  total: number | null;
  available: number | null;
  /** QRS's token detail (beyond the documented keys); `null` when QRS did not send the block. */
  userAccess: UserAccessTokens | null;
  loginAccess: LoginAccessTokens | null;
}

export interface LicenseSnapshot {
  site: string;
  collectedAt: string;
  professional: AccessTypeUsage | null;
  analyzer: AccessTypeUsage | null;
  analyzerCapacity: AnalyzerCapacityUsage | null;
  tokens: TokenUsage | null;
  license: LicenseInfo | null;
}

/** The two QRS calls a snapshot needs (a narrow view of `QrsClient`, easy to fake). */
export type SnapshotSource = Pick<QrsClient, 'getAccessTypeOverview' | 'getLicense'>;

export async function collectSnapshot(
  client: SnapshotSource,
  site: string,
  now: Date,
  onWarning?: (warning: LicenseWarning) => void,
): Promise<LicenseSnapshot> {
  const [overview, license] = await Promise.all([
    client.getAccessTypeOverview(),
    client.getLicense(),
  ]);
  return buildSnapshot(site, overview, license, now, onWarning);
}

export function buildSnapshot(
  site: string,
  overview: AccessTypeOverview,
  license: License,
  now: Date,
  onWarning?: (warning: LicenseWarning) => void,
): LicenseSnapshot {
  return {
    site,
    collectedAt: now.toISOString(),
    professional: accessTypeUsage(overview.professionalAccess),
    analyzer: accessTypeUsage(overview.analyzerAccess),
    analyzerCapacity: analyzerCapacityUsage(overview.analyzerTimeAccess),
    tokens: tokenUsage(overview),
    license: describeLicense(license, now, onWarning),
  };
}

function accessTypeUsage(block: AccessTypeOverview['professionalAccess']): AccessTypeUsage | null {
  if (!block) return null;
  return {
    enabled: block.enabled ?? null,
    total: block.total ?? null,
    allocated: block.allocated ?? null,
    used: block.used ?? null,
    quarantined: block.quarantined ?? null,
    excess: block.excess ?? null,
    available: block.available ?? null,
  };
}

function analyzerCapacityUsage(
  block: AccessTypeOverview['analyzerTimeAccess'],
): AnalyzerCapacityUsage | null {
  if (!block) return null;
  return {
    enabled: block.enabled ?? null,
    allocatedMinutes: block.allocatedMinutes ?? null,
    usedMinutes: block.usedMinutes ?? null,
    unavailableMinutes: block.unavailableMinutes ?? null,
  };
}

function tokenUsage(overview: AccessTypeOverview): TokenUsage | null {
  const { totalTokens, availableTokens, tokensEnabled, userAccess, loginAccess } = overview;
  if (totalTokens === undefined && availableTokens === undefined && tokensEnabled === undefined)
    return null;
  return {
    enabled: tokensEnabled ?? null,
    total: totalTokens ?? null,
    available: availableTokens ?? null,
    userAccess: userAccess
      ? {
          tokenCost: userAccess.tokenCost ?? null,
          allocatedTokens: userAccess.allocatedTokens ?? null,
          usedTokens: userAccess.usedTokens ?? null,
          quarantinedTokens: userAccess.quarantinedTokens ?? null,
        }
      : null,
    loginAccess: loginAccess
      ? {
          tokenCost: loginAccess.tokenCost ?? null,
          allocatedTokens: loginAccess.allocatedTokens ?? null,
          usedTokens: loginAccess.usedTokens ?? null,
          unavailableTokens: loginAccess.unavailableTokens ?? null,
        }
      : null,
  };
}
